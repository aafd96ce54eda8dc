"""What the gateway costs: `privtune serve` vs calling the same backend in-process.

Same tiny model, adapter and seed everywhere (greedy, ``ignore_eos`` so every request makes
exactly ``--max-tokens`` tokens). Three paths, calls interleaved in rotating order so background
load hits all alike, figures are medians of per-round paired differences:

- ``inproc``: `EmbeddedBackend.generate` / `.stream` awaited directly (the peer);
- ``asgi``: the whole gateway app (API-key auth against SQLite, role check, rate limiter,
  body limit, validation, hash-chained audit log, metrics, OpenAI JSON) in this process through
  httpx's ASGI transport: the gateway's own cost, without TCP or a second process;
- ``http``: a real `privtune serve` subprocess over loopback HTTP with keep-alive (adds the
  kernel, uvicorn's HTTP parsing and the scheduling of two processes).

Time to first token is measured on streamed one-token requests (first content chunk): a
randomly initialised model mostly emits byte tokens that are incomplete UTF-8, which the
backend rightly holds back, so on longer outputs the first chunk would arrive at the end.
The ``asgi`` path's CPU time (this process, all threads) is also
reported: on a shared machine it is the figure other jobs' load cannot inflate.
Throughput: sequential tokens/s ratio. Load test: C concurrent clients x R requests over
loopback, errors counted. Prints one JSON line.

    nice -n 10 python benchmarks/serve_overhead.py --requests 40 --max-tokens 16 --clients 8
    nice -n 10 python benchmarks/serve_overhead.py --guards --rounds 5   # PII redaction + watermark cost
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OMP_NUM_THREADS", "1")


def _build(work: Path) -> tuple[Path, Path]:
    import torch

    from privtune.models.tiny import build_model, build_tokenizer, sample_corpus
    from privtune.train.lora import attach_lora

    base = work / "base"
    tok = build_tokenizer(sample_corpus(300), vocab_size=512)
    build_model("llama", tok, hidden=64, layers=2, heads=4, kv_heads=2, seed=0, out_dir=base)
    from transformers import AutoModelForCausalLM

    model = attach_lora(AutoModelForCausalLM.from_pretrained(base), r=4, alpha=8.0)
    with torch.no_grad(), torch.random.fork_rng():
        torch.manual_seed(3)
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.normal_(0.0, 0.5)
    model.save_pretrained(work / "run" / "adapter")
    return base, work / "run"


def _sse_first_and_done(resp, t0: float) -> float:  # type: ignore[no-untyped-def]
    """Seconds from ``t0`` (before the request was sent) to the first non-empty content chunk."""
    first = None
    for line in resp.iter_lines():
        if first is None and line.startswith("data: {") and '"content": "' in line and '"content": ""' not in line:
            first = time.perf_counter() - t0
    return first if first is not None else float("nan")


def _asgi_app(work: Path, backend, key: str):  # type: ignore[no-untyped-def]
    """The full gateway app around ``backend``, sharing the subprocess's key store (same key works)."""
    from privtune.serve.app import build_gateway, create_app
    from privtune.serve.config import ServeConfig

    cfg = ServeConfig.model_validate({
        "base": str(work / "base"), "model_name": "tiny", "auth": {"key_store": str(work / "keys.sqlite3")},
        "audit_log": {"path": str(work / "asgi-audit.jsonl")},
        "rate_limit": {"requests_per_min": 100000, "tokens_per_min": 10000000},
        "pii": {"output": "off"}})  # the gateway alone; the guards' cost is measured by --guards
    return create_app(build_gateway(cfg, backend=backend))


def _responses(n_tokens_approx: int) -> list[str]:
    """Realistic answers of about ``n_tokens_approx`` tokens (≈ 4 characters per token in English,
    1.5 per token in Chinese): support-chat turns, PII included, concatenated."""
    turns: list[tuple[str, str]] = []
    for line in (ROOT / "examples/data/support_chats.jsonl").read_text(encoding="utf-8").splitlines():
        try:
            chat = json.loads(line)
        except json.JSONDecodeError:
            continue
        turns += [(chat.get("lang", "en"), m["content"]) for m in chat["messages"]]
    out: list[str] = []
    for lang in ("en", "zh"):
        pool = [t for lg, t in turns if lg == lang]
        want = n_tokens_approx * (4 if lang == "en" else 1.5)
        for start in range(0, len(pool) - 40, 40):
            text, i = "", start
            while len(text) < want:
                text += pool[i % len(pool)] + " "
                i += 1
            out.append(text[: int(want)])
    return out


def guards_cost(rounds: int) -> dict:  # type: ignore[type-arg]
    """PII guard: ms per ~200-token response, whole and streamed (4-character deltas), and at 400 tokens;
    watermark: generation time with and without the bias on the tiny model."""
    import torch

    from privtune.serve.guards.pii import PIIGuard, PIIStreamSession

    red = PIIGuard().redactors["redact"]

    def timed(texts: list[str], stream: bool) -> float:
        per = []
        for text in texts:
            t0 = time.perf_counter()
            if stream:
                s = PIIStreamSession(red)
                for i in range(0, len(text), 4):
                    s.feed(text[i:i + 4])
                s.finish()
            else:
                red.redact_text(text)
            per.append(time.perf_counter() - t0)
        return statistics.median(per) * 1e3

    r200, r400 = _responses(200), _responses(400)
    timed(r200[:4], False)  # warm the detectors (zh tagger load)
    res = {"whole_ms_200": [], "stream_ms_200": [], "whole_ms_400": [], "stream_ms_400": []}
    for _ in range(rounds):
        res["whole_ms_200"].append(timed(r200, False))
        res["stream_ms_200"].append(timed(r200, True))
        res["whole_ms_400"].append(timed(r400, False))
        res["stream_ms_400"].append(timed(r400, True))
    med = {k: round(statistics.median(v), 3) for k, v in res.items()}
    out: dict = {"benchmark": "serve_guards", "responses": len(r200), "rounds": rounds, "pii_redact": med,  # type: ignore[type-arg]
                 "doubling_ratio_whole": round(med["whole_ms_400"] / med["whole_ms_200"], 3),
                 "doubling_ratio_stream": round(med["stream_ms_400"] / med["stream_ms_200"], 3)}
    # Watermark cost: same tiny model, 64 new tokens, with and without the processor, interleaved.
    from transformers import LogitsProcessorList

    from privtune.serve.guards.watermark import WatermarkLogitsProcessor, WatermarkScheme

    with tempfile.TemporaryDirectory() as d:
        base, _ = _build(Path(d))
        from transformers import AutoModelForCausalLM

        model = AutoModelForCausalLM.from_pretrained(base).eval()
    wm = WatermarkLogitsProcessor(WatermarkScheme(os.urandom(32)), model.get_output_embeddings().weight.shape[0])
    times: dict[str, list[float]] = {"plain": [], "watermark": []}
    for _ in range(rounds * 3):
        for name in ("plain", "watermark"):
            kw = {"logits_processor": LogitsProcessorList([wm])} if name == "watermark" else {}
            torch.manual_seed(0)
            t0 = time.perf_counter()
            with torch.inference_mode():
                model.generate(input_ids=torch.tensor([[5, 6, 7]]), do_sample=True, top_k=0, max_new_tokens=64,
                               min_new_tokens=64, pad_token_id=0, **kw)
            times[name].append(time.perf_counter() - t0)
    p, w = statistics.median(times["plain"]), statistics.median(times["watermark"])
    out["watermark"] = {"plain_ms_per_token": round(p / 64 * 1e3, 3), "watermark_ms_per_token": round(w / 64 * 1e3, 3),
                        "added_ms_per_token": round((w - p) / 64 * 1e3, 3), "ratio": round(w / p, 3),
                        "model": "tiny llama (vocab 512)"}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--guards", action="store_true", help="measure only the output guards' cost (PII redaction, watermark)")
    ap.add_argument("--rounds", type=int, default=5, help="with --guards: rounds over the response set")
    ap.add_argument("--requests", type=int, default=40)
    ap.add_argument("--max-tokens", type=int, default=16)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--per-client", type=int, default=10)
    args = ap.parse_args()
    if args.guards:
        print(json.dumps(guards_cost(args.rounds)))
        return

    import httpx
    import torch

    torch.set_num_threads(1)
    from privtune.serve.auth.keys import open_sqlite
    from privtune.serve.backends.base import GenRequest
    from privtune.serve.backends.embedded import EmbeddedBackend, load_model
    from privtune.serve.roles import Role

    sys.path.insert(0, str(ROOT / "tests" / "serve"))
    from serve_helpers import ServerProcess

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        base, run = _build(work)
        key = open_sqlite(work / "keys.sqlite3").create("bench", Role.user)[1]
        server = ServerProcess(["--base", str(base), "--adapter", str(run), "--log-level", "warning",
                                "--set", "model_name=tiny", "--set", f"auth.key_store={work / 'keys.sqlite3'}",
                                "--set", f"audit_log.path={work / 'audit.jsonl'}",
                                "--set", "rate_limit.requests_per_min=100000",
                                "--set", "rate_limit.tokens_per_min=10000000",
                                "--set", f"limits.queue_size={max(16, args.clients * 2)}"], work, "server")
        try:
            server.wait_ready(180)
            model, tok, dev = load_model(base, run / "adapter", "cpu")
            backend = EmbeddedBackend(model, tok, dev, "tiny", queue_size=64)
            msgs = [{"role": "user", "content": "Where is order 12345? 我的快递到哪了?"}]
            body = {"model": "tiny", "messages": msgs, "max_tokens": args.max_tokens, "temperature": 0,
                    "ignore_eos": True}
            req = GenRequest("chat", max_tokens=args.max_tokens, messages=msgs, temperature=0, ignore_eos=True)
            headers = {"Authorization": f"Bearer {key}"}
            loop = asyncio.new_event_loop()

            async def inproc_ttft(r: GenRequest) -> float:
                t0 = time.perf_counter()
                agen = backend.stream(r)
                first = None
                async for item in agen:
                    if first is None and isinstance(item, str) and item:
                        first = time.perf_counter() - t0
                return first if first is not None else float("nan")

            one = GenRequest("chat", max_tokens=1, messages=msgs, temperature=0, ignore_eos=True)
            one_body = {**body, "max_tokens": 1, "stream": True}
            app = _asgi_app(work, backend, key)
            asgi = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw", headers=headers,
                                     timeout=120)

            async def asgi_post(payload: dict) -> httpx.Response:
                return await asgi.post("/v1/chat/completions", json=payload)

            lat = {"http": [], "asgi": [], "inproc": []}
            cpu = {"asgi": [], "inproc": []}  # process CPU time (all threads): immune to other processes' load
            ttft = {"http": [], "asgi": [], "inproc": []}
            with httpx.Client(base_url=server.url, headers=headers, timeout=120) as c:
                for _ in range(3):  # warm-up every path
                    c.post("/v1/chat/completions", json=body).raise_for_status()
                    loop.run_until_complete(asgi_post(body)).raise_for_status()
                    loop.run_until_complete(backend.generate(req))
                texts = set()

                def run_http() -> None:
                    t0 = time.perf_counter()
                    r = c.post("/v1/chat/completions", json=body)
                    lat["http"].append(time.perf_counter() - t0)
                    r.raise_for_status()
                    texts.add(r.json()["choices"][0]["message"]["content"])
                    t0 = time.perf_counter()
                    with c.stream("POST", "/v1/chat/completions", json=one_body) as resp:
                        ttft["http"].append(_sse_first_and_done(resp, t0))

                def run_asgi() -> None:
                    t0, c0 = time.perf_counter(), time.process_time()
                    r = loop.run_until_complete(asgi_post(body))
                    lat["asgi"].append(time.perf_counter() - t0)
                    cpu["asgi"].append(time.process_time() - c0)
                    texts.add(r.json()["choices"][0]["message"]["content"])
                    t0 = time.perf_counter()  # the ASGI transport hands over the body at the end: one token, same thing
                    r = loop.run_until_complete(asgi_post(one_body))
                    ttft["asgi"].append(time.perf_counter() - t0)
                    assert r.text.endswith("data: [DONE]\n\n")

                def run_inproc() -> None:
                    t0, c0 = time.perf_counter(), time.process_time()
                    res = loop.run_until_complete(backend.generate(req))
                    lat["inproc"].append(time.perf_counter() - t0)
                    cpu["inproc"].append(time.process_time() - c0)
                    texts.add(res.text)
                    ttft["inproc"].append(loop.run_until_complete(inproc_ttft(one)))

                paths = [run_http, run_asgi, run_inproc]
                for i in range(args.requests):
                    for fn in paths[i % 3:] + paths[:i % 3]:  # rotate the order: no path always follows another
                        fn()
            loop.run_until_complete(asgi.aclose())

            async def load() -> tuple[int, int, float]:
                errors, ok = 0, 0
                async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=300) as ac:
                    async def client() -> None:
                        nonlocal errors, ok
                        for _ in range(args.per_client):
                            try:
                                r = await ac.post("/v1/chat/completions", json=body)
                                ok += r.status_code == 200
                                errors += r.status_code != 200
                            except httpx.HTTPError:
                                errors += 1
                    t0 = time.perf_counter()
                    await asyncio.gather(*(client() for _ in range(args.clients)))
                    return ok, errors, time.perf_counter() - t0

            ok, errors, load_s = loop.run_until_complete(load())
        finally:
            server.stop()
        med = statistics.median

        def added(series: dict[str, list[float]], path: str) -> float:
            return round(med(g - i for g, i in zip(series[path], series["inproc"])) * 1e3, 2)

        result = {
            "benchmark": "serve_overhead", "model": "tiny llama (2 layers, d=64) + LoRA r=4, CPU, 1 thread",
            "requests": args.requests, "max_tokens": args.max_tokens,
            "same_output": len(texts) == 1,
            "latency_ms": {**{f"{k}_median": round(med(v) * 1e3, 2) for k, v in lat.items()},
                           "added_asgi": added(lat, "asgi"), "added_http": added(lat, "http")},
            "cpu_ms_per_request": {"asgi_median": round(med(cpu["asgi"]) * 1e3, 2),
                                   "inproc_median": round(med(cpu["inproc"]) * 1e3, 2),
                                   "added_asgi": added(cpu, "asgi")},
            "ttft_ms": {**{f"{k}_median": round(med(v) * 1e3, 2) for k, v in ttft.items()},
                        "added_asgi": added(ttft, "asgi"), "added_http": added(ttft, "http")},
            "throughput_ratio": {"asgi": round(med(lat["inproc"]) / med(lat["asgi"]), 3),
                                 "http": round(med(lat["inproc"]) / med(lat["http"]), 3)},
            "load_test": {"clients": args.clients, "requests": args.clients * args.per_client, "ok": ok,
                          "errors": errors, "seconds": round(load_s, 2),
                          "tokens_per_s": round(ok * args.max_tokens / load_s, 1)},
        }
        print(json.dumps(result))


if __name__ == "__main__":
    main()
