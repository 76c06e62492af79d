#!/bin/bash
# Crash test of the vector store: attach+fsync in a loop, kill the VM, replay,
# fsck, and check every acknowledged vector and that no half-done one exists.
CRASH_KIND=vectors exec bash "$(dirname "$0")/crash-host.sh" "$@"
