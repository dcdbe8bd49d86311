#!/usr/bin/env bash
# Regenerates the mockery mocks of the adapter contracts (internal/mocks, from
# .mockery.yaml, with the mockery version pinned in adapters/doc.go) and fails when
# they differ from the committed ones. CI runs: bash adapters/checkmocks.sh
set -euo pipefail
cd "$(dirname "$0")/.."
go generate ./adapters
if ! git diff --exit-code --stat -- internal/mocks; then
	echo "checkmocks: internal/mocks is stale; run 'go generate ./adapters' and commit" >&2
	exit 1
fi
untracked=$(git ls-files --others --exclude-standard -- internal/mocks)
if [ -n "$untracked" ]; then
	echo "checkmocks: mocks generated but not committed: $untracked" >&2
	exit 1
fi
echo "checkmocks: internal/mocks up to date"
