"""What the gateway costs: `privtune serve` over loopback HTTP vs calling the same backend in-process.

Same tiny model, adapter and seed on both sides (greedy, ``ignore_eos`` so every request makes
exactly ``--max-tokens`` tokens). The gateway runs as a real `privtune serve` subprocess with
every feature on: API-key auth against SQLite, the rate limiter, the hash-chained audit log,
the role check, body limit; the client is httpx with keep-alive. The in-process peer calls
`EmbeddedBackend.generate` / `.stream` directly in this process. Calls alternate (gateway,
in-process, gateway, ...) so background load hits both alike; figures are medians.

Measured: added median latency per non-streamed request (gateway - in-process); added time to
first token (first content chunk over SSE vs first delta in-process); throughput ratio
(sequential tokens/s, gateway / in-process); and a bounded loopback load test (C concurrent
clients x R requests each, errors counted). Prints one JSON line.

    nice -n 10 python benchmarks/serve_overhead.py --requests 40 --max-tokens 16 --clients 8
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=40)
    ap.add_argument("--max-tokens", type=int, default=16)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--per-client", type=int, default=10)
    args = ap.parse_args()

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

            async def inproc_ttft() -> float:
                t0 = time.perf_counter()
                agen = backend.stream(req)
                first = None
                async for item in agen:
                    if first is None and isinstance(item, str) and item:
                        first = time.perf_counter() - t0
                return first if first is not None else float("nan")

            lat_gw, lat_in, ttft_gw, ttft_in = [], [], [], []
            with httpx.Client(base_url=server.url, headers=headers, timeout=120) as c:
                for _ in range(3):  # warm-up both paths
                    c.post("/v1/chat/completions", json=body).raise_for_status()
                    loop.run_until_complete(backend.generate(req))
                texts = set()
                for _ in range(args.requests):
                    t0 = time.perf_counter()
                    r = c.post("/v1/chat/completions", json=body)
                    lat_gw.append(time.perf_counter() - t0)
                    r.raise_for_status()
                    texts.add(r.json()["choices"][0]["message"]["content"])
                    t0 = time.perf_counter()
                    res = loop.run_until_complete(backend.generate(req))
                    lat_in.append(time.perf_counter() - t0)
                    texts.add(res.text)
                    t0 = time.perf_counter()
                    with c.stream("POST", "/v1/chat/completions", json={**body, "stream": True}) as resp:
                        ttft_gw.append(_sse_first_and_done(resp, t0))
                    ttft_in.append(loop.run_until_complete(inproc_ttft()))

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
        result = {
            "benchmark": "serve_overhead", "model": "tiny llama (2 layers, d=64) + LoRA r=4, CPU, 1 thread",
            "requests": args.requests, "max_tokens": args.max_tokens,
            "same_output": len(texts) == 1,
            "latency_ms": {"gateway_median": round(med(lat_gw) * 1e3, 2), "inproc_median": round(med(lat_in) * 1e3, 2),
                           "added_median": round((med(lat_gw) - med(lat_in)) * 1e3, 2),
                           "added_median_paired": round(med(g - i for g, i in zip(lat_gw, lat_in)) * 1e3, 2)},
            "ttft_ms": {"gateway_median": round(med(ttft_gw) * 1e3, 2), "inproc_median": round(med(ttft_in) * 1e3, 2),
                        "added_median": round((med(ttft_gw) - med(ttft_in)) * 1e3, 2)},
            "throughput_ratio": round(med(lat_in) / med(lat_gw), 3),
            "load_test": {"clients": args.clients, "requests": args.clients * args.per_client, "ok": ok,
                          "errors": errors, "seconds": round(load_s, 2),
                          "tokens_per_s": round(ok * args.max_tokens / load_s, 1)},
        }
        print(json.dumps(result))


if __name__ == "__main__":
    main()
