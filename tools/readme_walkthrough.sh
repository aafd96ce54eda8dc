#!/usr/bin/env bash
# The README's "Walk-through" block, as a script: scan -> canaries -> DP training -> audit on the
# bundled chats, top to bottom. tests/test_readme_walkthrough.py checks that the README block is
# this file from `set -euo pipefail` on, and runs it with small sizes (EPOCHS, CANDIDATES, ...).
# Run from the repository root: bash tools/readme_walkthrough.sh
set -euo pipefail
DATA=${DATA:-examples/data/support_chats.jsonl}   # 309 bilingual support chats, synthetic PII
MODEL=${MODEL:-work/tiny-qwen2}                  # any local Hugging Face causal-LM directory
EPOCHS=${EPOCHS:-3}                              # sizes (the test shrinks them): training epochs,
CANDIDATES=${CANDIDATES:-1000}                   # alternatives ranked per canary (10000: exposure to ~13 bits),
MIA_RECORDS=${MIA_RECORDS:-1000}                 # records per set for membership inference,
DECODE=${DECODE:-50}                             # records, PII sites and probes decoded per set
mkdir -p work runs

# 0. A model. Without one of your own: a random tiny one (seconds; it shows the pipeline, not quality).
[ -f "$MODEL/config.json" ] || privtune model tiny --arch qwen2 "$MODEL"

# 1. Hold out every 5th customer *before* anything else: all chats of a customer (by customer_id; a line
#    without one is its own customer) go to one side, so held-out customers are never trained on. They
#    give the validation loss and the audit's non-members (same distribution as the training chats).
awk '{ id = match($0, /"customer_id": *"[^"]*"/) ? substr($0, RSTART, RLENGTH) : "line " NR
       if (!(id in heldout)) heldout[id] = (++customers % 5 == 0)
       print > (heldout[id] ? "work/raw_heldout.jsonl" : "work/raw_train.jsonl") }' "$DATA"

# 2. Scan both with the same key, so a customer gets the same pseudonym everywhere. The bundled
#    file holds one deliberately broken line; a rejected record fails a scan unless tolerated.
privtune scan work/raw_train.jsonl --out work/clean.jsonl --report work/scan_report.html \
    --policy pseudonymise --key-file work/scan.key --max-rejected 1 --fail-on residual:high
privtune scan work/raw_heldout.jsonl --out work/heldout.jsonl --policy pseudonymise --key-file work/scan.key

# 3. Canaries: random secrets planted in the training copy (each with probability 1/2); the audit
#    measures how well the model learnt them. Train on the file WITH canaries, audit against it.
privtune canary make --format mixed --count 24 --repeats 1,4 --lang zh --out work/canaries.json
privtune canary insert work/clean.jsonl --canaries work/canaries.json --out work/clean_with_canaries.jsonl

# 4. Train with DP-SGD at epsilon 8 (expected batch 32: ~9 steps per epoch on ~270 records).
#    The ledger records the spend; budget_epsilon caps all runs on this data.
privtune train --model "$MODEL" --data work/clean_with_canaries.jsonl --validation work/heldout.jsonl \
    --output-dir runs/dp8 --target-epsilon 8 --batch-size 32 --micro-batch-size 16 --epochs "$EPOCHS" \
    --max-length 256 --ledger runs/ledger.sqlite --budget-epsilon 10 --dataset-name support-chats

# 5. Audit the adapter against its base: members = what it trained on, non-members = held out.
#    In CI add gates, e.g. --fail-on 'exposure_bits_max>8,mia.ref.auc>0.6' (exit 3 if one holds).
privtune audit --base "$MODEL" --adapter runs/dp8 --members work/clean_with_canaries.jsonl \
    --nonmembers work/heldout.jsonl --canaries work/canaries.json --out runs/dp8/audit \
    --canary-candidates "$CANDIDATES" --max-records "$MIA_RECORDS" --extraction-max-records "$DECODE" \
    --extraction-pii-max-sites "$DECODE" --specificity-max-probes "$DECODE"

# 6. Optional, to see what DP buys: the same training without DP. The ledger above refuses it (exit 4:
#    this data has a budget, and a non-private run spends unbounded epsilon), so a baseline needs
#    its own scratch ledger; never ship it.
privtune train --model "$MODEL" --data work/clean_with_canaries.jsonl --validation work/heldout.jsonl \
    --output-dir runs/no-dp --no-dp --batch-size 32 --micro-batch-size 16 --epochs "$EPOCHS" \
    --max-length 256 --ledger runs/baseline_ledger.sqlite
privtune ledger show --ledger runs/ledger.sqlite
