/* queues — what recv-q and send-q count, by kind of socket. */
#include "queues.h"

#include <sys/socket.h>

#include "i18n.h"

enum queue_kind { KIND_STREAM, KIND_UDP, KIND_UNIX_STREAM, KIND_UNIX_DATAGRAM, KIND_COUNT };

/* The kernel's fields, as of Linux 6: TCP counts sequence numbers (data
 * not read, data not acknowledged); UDP the memory its datagrams hold
 * (sk_rmem_alloc, sk_wmem_alloc); a Unix stream the bytes not read and
 * the memory charged to the sender until they are; a Unix datagram
 * socket the length of the first datagram waiting, and the same charge. */
static const struct queue_meaning meanings[KIND_COUNT] = {
	[KIND_STREAM] = { N_("bytes (received, not yet read by recv())"),
			  N_("bytes (sent, not yet acknowledged by the peer)"), NULL },
	[KIND_UDP] = { N_("bytes of kernel memory holding datagrams not yet read (not their "
			  "length: a datagram's buffers)"),
		       N_("bytes of kernel memory holding datagrams not yet sent out"),
		       N_("queues: kernel memory, not bytes of data"), true, true },
	[KIND_UNIX_STREAM] = { N_("bytes (received, not yet read by recv())"),
			       N_("bytes of kernel memory charged to this sender until the peer "
				  "reads what it sent"),
			       N_("send-q: memory charged until the peer reads"), false, true },
	[KIND_UNIX_DATAGRAM] = { N_("bytes: the length of the first datagram waiting"),
				 N_("bytes of kernel memory charged to this sender until the "
				    "peer reads what it sent"),
				 N_("recv-q: the first datagram's length; send-q: memory"), true,
				 true },
};

static enum queue_kind kind_of(const struct lab_socket *socket)
{
	bool datagram = socket->type == SOCK_DGRAM;
	if (socket->family == AF_UNIX)
		return datagram ? KIND_UNIX_DATAGRAM : KIND_UNIX_STREAM;
	return datagram ? KIND_UDP : KIND_STREAM;
}

struct queue_meaning queues_meaning(const struct lab_socket *socket)
{
	const struct queue_meaning *row = &meanings[kind_of(socket)];
	return (struct queue_meaning){ .recv_q = _(row->recv_q),
				       .send_q = _(row->send_q),
				       .note = row->note ? _(row->note) : NULL,
				       .note_recv_q = row->note_recv_q,
				       .note_send_q = row->note_send_q };
}

bool queues_note_due(const struct lab_socket *socket, const struct queue_meaning *meaning)
{
	return meaning->note && ((meaning->note_recv_q && socket->recv_queue > 0)
				 || (meaning->note_send_q && socket->send_queue > 0));
}
