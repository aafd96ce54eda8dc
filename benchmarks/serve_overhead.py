"""What the gateway costs: `privtune serve` vs calling the same backend in-process.

Same tiny model, adapter and seed everywhere (greedy, ``ignore_eos`` so every request makes
exactly ``--max-tokens`` tokens, and every path must return the same text). Three paths:

- ``inproc``: `EmbeddedBackend.generate` / `.stream` awaited directly (the peer);
- ``asgi``: the whole gateway app (API-key auth against SQLite, role check, rate limiter, body
  limit, validation, hash-chained audit log, metrics, OpenAI JSON) called in this process the way
  a server calls it (scope, receive, send), with no client library in between: the gateway's
  own cost;
- ``http``: a real `privtune serve` subprocess over loopback HTTP, keep-alive, a stdlib
  ``http.client`` client: adds the kernel, uvicorn's HTTP handling, the client and the
  scheduling of two processes.

Measurement on a shared machine: each round visits every path in turn, in rotating order, so
background load hits all paths alike; a visit makes one untimed request that re-warms the path's
caches (the server process holds its own copy of the model, the two in-process paths share one:
without it the loopback path paid for cold caches) and ``--per-round`` timed ones. The added
cost is the median of per-round paired differences. Besides wall time, CPU time is reported
(``asgi`` and ``inproc``: this process, all threads, and the event-loop thread alone, where the
gateway runs while generation runs on a worker thread; ``http``: the server process's CPU over
the timed requests divided by their number, plus the client's): other jobs' load inflates it
far less than wall time. The machine's load average is in the output.

Time to first token: one-token streamed requests, time to the first content chunk (a randomly
initialised model mostly emits byte tokens that are incomplete UTF-8, which the backend rightly
holds back, so on longer outputs the first chunk would arrive at the end). Throughput: (1)
sequential, the median of per-round ratios of request times; (2) concurrent, ``--clients`` at
once making ``--per-client`` requests each, tokens/s of each path in interleaved rounds, the
median of per-round ratios; the ``http`` concurrent rounds are the loopback load test (errors
counted). Prints one JSON line.

    nice -n 10 python benchmarks/serve_overhead.py --requests 60 --max-tokens 16 --clients 8 --load-rounds 9
    nice -n 10 python benchmarks/serve_overhead.py --guards --rounds 5   # PII redaction + watermark cost
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import tempfile
import threading
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


def _server(work: Path, base: Path, run: Path, queue: int):  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(ROOT / "tests" / "serve"))
    from serve_helpers import ServerProcess

    return ServerProcess(["--base", str(base), "--adapter", str(run), "--log-level", "warning",
                          "--set", "model_name=tiny", "--set", f"auth.key_store={work / 'keys.sqlite3'}",
                          "--set", f"audit_log.path={work / 'audit.jsonl'}",
                          "--set", "rate_limit.requests_per_min=100000", "--set", "rate_limit.tokens_per_min=10000000",
                          "--set", 'pii.output="off"', "--set", f"limits.queue_size={queue}"], work, "server")


def _concurrent(paths: dict, payload: dict, clients: int, per_client: int, rounds: int,  # type: ignore[type-arg]
                loop: asyncio.AbstractEventLoop, port: int, key: str) -> dict:  # type: ignore[type-arg]
    """Tokens/s of each path with ``clients`` concurrent callers, rounds interleaved; http errors counted."""
    from benchmarks.serve_paths import HttpPath

    tok_s: dict[str, list[float]] = {"inproc": [], "asgi": [], "http": []}
    errors, ok = 0, 0
    n_tokens = clients * per_client * payload["max_tokens"]

    def run_async(path) -> None:  # type: ignore[no-untyped-def]
        async def client() -> None:
            for _ in range(per_client):
                await path.acomplete(payload)

        async def all_clients() -> None:
            await asyncio.gather(*(client() for _ in range(clients)))

        loop.run_until_complete(all_clients())

    def run_http() -> None:
        def client() -> None:
            nonlocal errors, ok
            conn = HttpPath(port, key)
            for _ in range(per_client):
                try:
                    conn.complete(payload)
                    ok += 1
                except Exception:  # noqa: BLE001 - the load test counts every failure
                    errors += 1
                    conn.close()
                    conn = HttpPath(port, key)
            conn.close()

        threads = [threading.Thread(target=client) for _ in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    runners = {"inproc": lambda: run_async(paths["inproc"]), "asgi": lambda: run_async(paths["asgi"]),
               "http": run_http}
    names = list(runners)
    for r in range(rounds):
        for name in names[r % 3:] + names[:r % 3]:
            t0 = time.perf_counter()
            runners[name]()
            tok_s[name].append(n_tokens / (time.perf_counter() - t0))
    med = {k: statistics.median(v) for k, v in tok_s.items()}

    def ratio(path: str) -> float:  # median of per-round ratios: each round's paths ran back to back
        return round(statistics.median(p / i for p, i in zip(tok_s[path], tok_s["inproc"])), 3)

    return {"clients": clients, "per_client": per_client, "rounds": rounds,
            "tokens_per_s": {k: round(v, 1) for k, v in med.items()},
            "ratio_asgi": ratio("asgi"), "ratio_http": ratio("http"),
            "load_test": {"requests": clients * per_client * rounds, "ok": ok, "errors": errors}}


def _calls_per_request(paths: dict, body: dict, one: dict, n: int = 20) -> dict:  # type: ignore[type-arg]
    """Python function calls per request on the event-loop thread (cProfile): a cost figure that
    other processes' load cannot change. The generation thread is not profiled (same on both paths)."""
    import cProfile
    import pstats

    out = {}
    for name in ("inproc", "asgi"):
        for kind, payload, call in (("complete", body, paths[name].complete), ("stream", one, paths[name].first_token)):
            prof = cProfile.Profile()
            prof.enable()
            for _ in range(n):
                call(payload)
            prof.disable()
            out[f"{name}_{kind}"] = round(pstats.Stats(prof).total_calls / n)  # type: ignore[attr-defined]
    out["added_complete"] = out["asgi_complete"] - out["inproc_complete"]
    out["added_stream"] = out["asgi_stream"] - out["inproc_stream"]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--guards", action="store_true", help="measure only the output guards' cost (PII redaction, watermark)")
    ap.add_argument("--rounds", type=int, default=5, help="with --guards: rounds over the response set")
    ap.add_argument("--requests", type=int, default=40, help="paired rounds (each path once per round, in turn)")
    ap.add_argument("--per-round", type=int, default=3,
                    help="timed requests per path and round, after one untimed request that re-warms its caches")
    ap.add_argument("--max-tokens", type=int, default=16)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--per-client", type=int, default=5)
    ap.add_argument("--load-rounds", type=int, default=3, help="interleaved rounds of the concurrent test")
    args = ap.parse_args()
    if args.guards:
        print(json.dumps(guards_cost(args.rounds)))
        return

    import torch

    torch.set_num_threads(1)
    from benchmarks.serve_paths import AsgiPath, HttpPath, InprocPath, process_cpu_s
    from privtune.serve.auth.keys import open_sqlite
    from privtune.serve.backends.embedded import EmbeddedBackend, load_model
    from privtune.serve.roles import Role

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        base, run = _build(work)
        key = open_sqlite(work / "keys.sqlite3").create("bench", Role.user)[1]
        server = _server(work, base, run, max(16, args.clients * 2))
        try:
            server.wait_ready(180)
            model, tok, dev = load_model(base, run / "adapter", "cpu")
            backend = EmbeddedBackend(model, tok, dev, "tiny", queue_size=max(64, args.clients * 2))
            loop = asyncio.new_event_loop()
            paths = {"inproc": InprocPath(backend, loop), "asgi": AsgiPath(_asgi_app(work, backend, key), key, loop),
                     "http": HttpPath(server.port, key)}
            msgs = [{"role": "user", "content": "Where is order 12345? 我的快递到哪了?"}]
            body = {"model": "tiny", "messages": msgs, "max_tokens": args.max_tokens, "temperature": 0,
                    "ignore_eos": True}
            one = {**body, "max_tokens": 1, "stream": True}
            for _ in range(3):  # warm-up every path
                for p in paths.values():
                    p.complete(body)
                    p.first_token(one)
            lat: dict[str, list[float]] = {k: [] for k in paths}
            cpu: dict[str, list[float]] = {"asgi": [], "inproc": []}
            loop_cpu: dict[str, list[float]] = {"asgi": [], "inproc": []}  # event-loop thread only
            ttft: dict[str, list[float]] = {k: [] for k in paths}
            texts: set[str] = set()
            http_cpu_s, http_client_cpu_s = 0.0, 0.0
            names, k = list(paths), args.per_round
            for i in range(args.requests):
                for name in names[i % 3:] + names[:i % 3]:  # rotate: no path always follows another
                    path = paths[name]
                    path.complete(body)  # re-warm this path's caches (the server holds its own model copy)
                    s0 = process_cpu_s(server.proc.pid) if name == "http" else 0.0
                    t0, c0, l0 = time.perf_counter(), time.process_time(), time.thread_time()
                    for _ in range(k):
                        texts.add(path.complete(body))
                    lat[name].append((time.perf_counter() - t0) / k)
                    if name == "http":
                        http_client_cpu_s += time.process_time() - c0
                        http_cpu_s += process_cpu_s(server.proc.pid) - s0
                    else:
                        cpu[name].append((time.process_time() - c0) / k)
                        loop_cpu[name].append((time.thread_time() - l0) / k)
                    path.first_token(one)
                    ttft[name].append(statistics.median(path.first_token(one) for _ in range(k)))
            calls = _calls_per_request(paths, body, one)
            conc = _concurrent(paths, body, args.clients, args.per_client, args.load_rounds, loop, server.port, key)
            paths["http"].close()
        finally:
            server.stop()
        impl = re.search(r"uvicorn\s+http=(\w+)\s+loop=(\w+)", server.stderr_path.read_text())
    med = statistics.median

    def added(series: dict[str, list[float]], path: str) -> float:
        return round(med(g - i for g, i in zip(series[path], series["inproc"])) * 1e3, 2)

    n = args.requests * args.per_round
    result = {
        "benchmark": "serve_overhead", "model": "tiny llama (2 layers, d=64) + LoRA r=4, CPU, 1 thread",
        "rounds": args.requests, "per_round": args.per_round, "max_tokens": args.max_tokens,
        "same_output": len(texts) == 1,
        "loadavg_1m": {"before": round(load_before[0], 2), "after": round(os.getloadavg()[0], 2)},
        "server": f"uvicorn http={impl[1]} loop={impl[2]}" if impl else "unknown",
        "latency_ms": {**{f"{k}_median": round(med(v) * 1e3, 2) for k, v in lat.items()},
                       "added_asgi": added(lat, "asgi"), "added_http": added(lat, "http")},
        "cpu_ms_per_request": {"asgi_median": round(med(cpu["asgi"]) * 1e3, 2),
                               "inproc_median": round(med(cpu["inproc"]) * 1e3, 2),
                               "added_asgi": added(cpu, "asgi"),
                               "loop_thread_asgi_median": round(med(loop_cpu["asgi"]) * 1e3, 3),
                               "loop_thread_inproc_median": round(med(loop_cpu["inproc"]) * 1e3, 3),
                               "added_asgi_loop_thread": added(loop_cpu, "asgi"),
                               # server CPU has 10 ms tick resolution, so it is a mean over all requests
                               "http_server_mean": round(http_cpu_s / n * 1e3, 2),
                               "http_client_mean": round(http_client_cpu_s / n * 1e3, 2)},
        "ttft_ms": {**{f"{k}_median": round(med(v) * 1e3, 2) for k, v in ttft.items()},
                    "added_asgi": added(ttft, "asgi"), "added_http": added(ttft, "http")},
        # median over rounds of the paired ratio (a ratio of overall medians mixes rounds of different load)
        "throughput_ratio_sequential": {p: round(med(i / g for g, i in zip(lat[p], lat["inproc"])), 3)
                                        for p in ("asgi", "http")},
        "python_calls_per_request": calls,
        "concurrent": conc,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
