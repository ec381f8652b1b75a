#!/bin/sh
# Starts two clients one after the other, for step's tests: a side of
# three processes (the shell and each client). $1: the client program.
"$1"
"$1"
