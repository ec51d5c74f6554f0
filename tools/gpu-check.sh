#!/bin/sh
# Everything a GPU machine should check, in one run (for a session lent a GPU; see issue 8):
# the CUDA API tests, every op of the registry on cuda, the examples' --device cuda, and a
# one-rank NCCL process group (NCCL needs one GPU per rank: two ranks need two GPUs).
# Usage: sh tools/gpu-check.sh [pytest args...]   (writes its logs under ${OUT:-gpu-check})
set -u
OUT=${OUT:-gpu-check}
mkdir -p "$OUT"
python -m pip install -q -e '.[cuda,test]' > "$OUT/pip.log" 2>&1 || { tail -5 "$OUT/pip.log"; exit 1; }
python -c "import flambeau; print('cuda available:', flambeau.cuda.is_available(), flambeau.cuda.device_count())"
FLAMBEAU_TEST_DEVICES=cuda python -m pytest -q -p no:cacheprovider --maxfail=300 \
    tests/test_cuda_api.py tests/test_device.py tests/test_ops.py "$@" > "$OUT/pytest-cuda.log" 2>&1
tail -3 "$OUT/pytest-cuda.log"
python -m pytest -q -p no:cacheprovider tests/test_examples.py -k real_gpu > "$OUT/examples.log" 2>&1
tail -1 "$OUT/examples.log"
RANK=0 WORLD_SIZE=1 MASTER_ADDR=127.0.0.1 MASTER_PORT=29555 python - > "$OUT/nccl.log" 2>&1 <<'PY'
import flambeau as torch
import flambeau.distributed as dist
dist.init_process_group('nccl')
t = torch.arange(4., device='cuda')
dist.all_reduce(t)
dist.broadcast(t, src=0)
out = [torch.zeros(4, device='cuda')]
dist.all_gather(out, t)
w = dist.all_reduce(t, op=dist.ReduceOp.AVG, async_op=True)
w.wait()
objs = [None]
dist.all_gather_object(objs, {'ok': True})
print('nccl one-rank ok', t.cpu().tolist(), objs)
dist.destroy_process_group()
PY
tail -2 "$OUT/nccl.log"
