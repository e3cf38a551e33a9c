#!/usr/bin/env bash
# Rebuilds the trained models shipped under models/: trains each with a fixed number of epochs (no time
# budget, so the same thread count reproduces its weights exactly; best is also shown synthetic non-digits,
# 60,000 of them with touching digit pairs among them, so that its refusal rule turns letters and scribbles away
# and the number reader cuts touching digits apart, and three quarters of its training digits are shown as the
# number reader prepares them), stores its unsure threshold (chosen on
# its own validation images), exports it to ONNX, in float32 and in int8 (calibrated on the same validation images),
# and writes models/SHA256SUMS.
# Usage: scripts/ship-models.sh [THREADS [NAME...]]   (NAME: cnn, best; the shipped files were made with 2 threads)
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2}
shift || true
[ $# -gt 0 ] && names=("$@") || names=(cnn best)
dotnet build src/DigitRecognizer.Cli -c Release -nologo -v quiet
digits=src/DigitRecognizer.Cli/bin/Release/net10.0/digits
work=$(mktemp -d)

mkdir -p models
for name in "${names[@]}"; do
  case "$name" in
    cnn)  "$digits" train --recipe notebook-cnn --seed 1 --threads "$threads" --output "$work/cnn" ;;
    best) "$digits" train --recipe best --epochs 20 --time-budget 0 --non-digit-weight 0.5 --touching-pairs 0.6667 --non-digit-pool 60000 --reader-views 0.75 --seed 1 --threads "$threads" --output "$work/best" ;;
    *) echo "error: unknown shipped model '$name' (cnn or best)" >&2; exit 1 ;;
  esac
  "$digits" calibrate --model "$work/$name"
  cp "$work/$name/model.ckpt" "models/$name.ckpt.tmp" && mv "models/$name.ckpt.tmp" "models/$name.ckpt"
  cp "$work/$name/training.json" "models/$name.training.json.tmp" && mv "models/$name.training.json.tmp" "models/$name.training.json"
  "$digits" export-onnx --model "models/$name.ckpt" --output "models/$name.onnx"
  "$digits" export-onnx --model "models/$name.ckpt" --output "models/$name-int8.onnx" --quantize int8
done
(cd models && sha256sum ./*.ckpt ./*.onnx | sed 's# \./# #' > SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS)
cat models/SHA256SUMS
