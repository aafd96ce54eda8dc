"""Python function calls per request in a whole `privtune serve` server (uvicorn + gateway + backend).

Load-independent companion of `serve_overhead.py`: on a shared machine the wall and CPU figures
move with other jobs, a call count does not. The server (uvicorn with the chosen HTTP parser and
event loop, the full gateway app, the tiny model) runs in this process under cProfile; a client
subprocess sends ``--requests`` one-token chat completions over loopback keep-alive. The count
includes the backend's own calls (tokenising, the chat template), identical in every variant.

    nice -n 10 python benchmarks/serve_profile.py --http h11 --loop asyncio
    nice -n 10 python benchmarks/serve_profile.py --http httptools --loop uvloop --top 25
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OMP_NUM_THREADS", "1")

CLIENT = """
import http.client, json, sys, time
port, key, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
body = json.dumps({"model": "tiny", "messages": [{"role": "user", "content": "Where is order 12345?"}],
                   "max_tokens": 1, "temperature": 0, "ignore_eos": True})
for _ in range(600):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60); c.request("GET", "/health")
        c.getresponse().read(); break
    except OSError:
        time.sleep(0.1)
for _ in range(n):
    c.request("POST", "/v1/chat/completions", body, {"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    r = c.getresponse(); r.read()
    assert r.status == 200, r.status
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--http", default="httptools", choices=["h11", "httptools"])
    ap.add_argument("--loop", default="uvloop", choices=["asyncio", "uvloop"])
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--top", type=int, default=0, help="also print the N functions with most own time")
    args = ap.parse_args()

    import torch
    import uvicorn

    torch.set_num_threads(1)
    from benchmarks.serve_overhead import _asgi_app, _build
    from privtune.serve.auth.keys import open_sqlite
    from privtune.serve.backends.embedded import EmbeddedBackend, load_model
    from privtune.serve.roles import Role
    from tests.serve.serve_helpers import free_port

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        base, run = _build(work)
        key = open_sqlite(work / "keys.sqlite3").create("bench", Role.user)[1]
        model, tok, dev = load_model(base, run / "adapter", "cpu")
        app = _asgi_app(work, EmbeddedBackend(model, tok, dev, "tiny", queue_size=16), key)
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, http=args.http, loop=args.loop,
                                               access_log=False, log_config=None, log_level="warning"))
        client = subprocess.Popen([sys.executable, "-c", CLIENT, str(port), key, str(args.requests)])

        def stop_when_done() -> None:
            client.wait()
            server.should_exit = True

        threading.Thread(target=stop_when_done, daemon=True).start()
        prof = cProfile.Profile()
        prof.enable()
        server.run()
        prof.disable()
        if client.returncode:
            raise SystemExit(f"client failed ({client.returncode})")
    stats = pstats.Stats(prof)
    print(json.dumps({"benchmark": "serve_profile", "http": args.http, "loop": args.loop, "requests": args.requests,
                      "python_calls_per_request": round(stats.total_calls / args.requests),  # type: ignore[attr-defined]
                      "note": "server start-up and shutdown included (amortised)"}))
    if args.top:
        stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
