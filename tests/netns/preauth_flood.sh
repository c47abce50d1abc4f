#!/bin/bash
echo "1..1"; echo "not ok 1 - todo"; exit 1
