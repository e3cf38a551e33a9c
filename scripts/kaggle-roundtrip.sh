#!/usr/bin/env bash
# The Kaggle workflow end to end on MNIST in Kaggle's format, to show it matches training on the IDX files:
# export train.csv (labelled) and test.csv (unlabelled) → train on the CSV → predict → score the submission
# against the MNIST test labels. Usage: scripts/kaggle-roundtrip.sh [MODEL] [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-cnn}
work=${2:-runs/kaggle-roundtrip}
mkdir -p "$work"

dotnet build src/DigitRecognizer.Cli -c Release -v quiet -nologo >/dev/null
digits() { dotnet src/DigitRecognizer.Cli/bin/Release/net10.0/digits.dll "$@"; }

digits export --split train --output "$work/train.csv"
digits export --split test --labels false --output "$work/test.csv"
digits train --data "$work/train.csv" --model "$model" --output "$work/$model"
digits predict --model "$work/$model" --input "$work/test.csv" --output "$work/submission.csv"
digits score --submission "$work/submission.csv"
