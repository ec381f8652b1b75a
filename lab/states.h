/* states — the one table of socket state names.
 *
 * sock_diag reports every socket's state as one of TCP's numbers (a
 * datagram or Unix socket that is not connected is TCP_CLOSE). A row
 * names a number: the name the lab shows for it (on screen, in --plain and
 * in traces, as ss writes it with dashes), or a name lessons may also
 * write in `expect:` (BOUND, UNCONN: TCP_CLOSE as a kind of socket reads
 * it; gone: no socket at all). The probe, the lesson parser, the trace
 * reader and the quiz all read these rows.
 */
#ifndef SOCKLAB_STATES_H
#define SOCKLAB_STATES_H

#include <stdbool.h>
#include <stddef.h>

struct state_row {
	const char *name; /* "ESTABLISHED" */
	int value;        /* the TCP_* number it stands for; 0: no socket ("gone") */
	bool shown;       /* the name the lab shows for that number (one a number) */
};

/* In the order of a connection's life, LISTEN first: the quiz offers them so. */
extern const struct state_row states_table[];
extern const size_t states_count;

/* The name shown for kernel state `state` of a socket of `type`
 * (SOCK_STREAM, ...): "UNCONN" for a socket that is not a stream in
 * TCP_CLOSE; 12 (a request socket) is "SYN-RECV", 13 (bound, inactive)
 * "BOUND"; "?" for a number the table lacks. Static strings. */
const char *states_name(int state, int type);

/* The number the name `name` (`len` bytes) stands for, or -1. */
int states_value(const char *name, size_t len);

#endif
