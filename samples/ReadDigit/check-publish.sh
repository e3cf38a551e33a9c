#!/usr/bin/env bash
# Publishes ReadDigit as the README describes (linux-x64, framework-dependent) and checks that the folder holds
# no TorchSharp assembly and no libtorch library, and stays within 60 MB. Prints the size. Usage: check-publish.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-$(mktemp -d)/ReadDigit}
dotnet publish samples/ReadDigit -c Release -r linux-x64 --self-contained false -o "$out" -nologo -v quiet >/dev/null
torch=$(find "$out" -iname '*torch*' -o -iname 'libc10*' | sort)
if [ -n "$torch" ]; then
  echo "error: the ReadDigit publish folder holds TorchSharp/libtorch files:" >&2
  echo "$torch" >&2
  exit 1
fi
bytes=$(du -sb "$out" | cut -f1)
mb=$(( (bytes + 999999) / 1000000 ))
echo "ReadDigit publish (linux-x64, framework-dependent): ${mb} MB in $(find "$out" -type f | wc -l) files, no TorchSharp or libtorch ($out)"
if [ "$mb" -gt 60 ]; then
  echo "error: ${mb} MB is over the 60 MB target" >&2
  exit 1
fi
