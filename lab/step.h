/* step — unmodified programs as the server and the client, stepped at
 * their socket calls (ptrace, see tracer.h), shown as a lesson is: each
 * call with its result and both ends' sockets after it.
 *
 * --plain releases calls in a fixed order, so a run never depends on
 * timing luck: the server runs until it blocks or exits, then the client,
 * and so on in turn. */
#ifndef SOCKLAB_STEP_H
#define SOCKLAB_STEP_H

#include <signal.h>
#include <stdio.h>

#include "sandbox.h"

/* Runs `server` and `client` (command lines, split at spaces; a python
 * program gets the line reporter from `examples_dir`) and prints the
 * transcript to `out`. Returns an exit code. */
int step_plain(const char *server, const char *client, const char *examples_dir,
	       struct sandbox *sandbox, FILE *out, const volatile sig_atomic_t *stop);

#endif
