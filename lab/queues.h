/* queues — what a socket's two queue numbers count. sock_diag fills
 * recv-q and send-q from different kernel fields by kind of socket: a
 * listener's are its accept queue and backlog, TCP's count sequence
 * numbers (bytes, and a SYN or FIN as 1 while it waits), UDP's the kernel
 * memory its datagrams hold, a Unix socket's send-q the memory charged to
 * the sender until the peer reads, and a Unix datagram socket's recv-q
 * the first datagram's length. The details page, the rows of --plain and
 * the TUI, and the evidence sentences say it from this one table.
 */
#ifndef SOCKLAB_QUEUES_H
#define SOCKLAB_QUEUES_H

#include "model.h"

enum queue_unit {
	QUEUE_CONNECTIONS,      /* a listener's accept queue and backlog */
	QUEUE_BYTES,            /* bytes of data (TCP: a SYN or FIN counts 1) */
	QUEUE_MEMORY,           /* bytes of kernel memory, not of data */
	QUEUE_FIRST_DATAGRAM,   /* the length of the first datagram waiting */
};

struct queue_meaning {
	const char *recv_name, *send_name;   /* "recv-q", "send-q"; a listener's "accept queue",
						"backlog" (not translated: ss's words) */
	const char *recv_q, *send_q;         /* what each counts, after its number, translated */
	enum queue_unit recv_unit, send_unit;
};

struct queue_meaning queues_meaning(const struct lab_socket *socket);

/* What a row says of the socket's queues where the numbers are not plain
 * bytes of data (a listener's, a FIN counted as 1, memory), translated;
 * NULL when they are. */
const char *queues_note(const struct lab_socket *socket);

#endif
