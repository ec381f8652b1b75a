/* queues — what a socket's two queue numbers count, which depends on its
 * kind: sock_diag fills recv-q and send-q from different kernel fields
 * for TCP, UDP and Unix sockets, and only TCP's are bytes of data both
 * ways. The details page and --plain's row note say it from this one table.
 */
#ifndef SOCKLAB_QUEUES_H
#define SOCKLAB_QUEUES_H

#include <stdbool.h>

#include "model.h"

struct queue_meaning {
	const char *recv_q;   /* after the number: "bytes (received, not yet read by recv())" */
	const char *send_q;
	const char *note;     /* a row's note while a queue it names is not 0, or NULL: the
	                         numbers are what they seem */
	bool note_recv_q, note_send_q;   /* the queues the note is about */
};

/* Whether `socket`'s row needs the meaning's note: a queue it is about is not 0. */
bool queues_note_due(const struct lab_socket *socket, const struct queue_meaning *meaning);

/* The meaning for a socket that is not listening (a listener's queues are
 * its accept queue and backlog), translated. */
struct queue_meaning queues_meaning(const struct lab_socket *socket);

#endif
