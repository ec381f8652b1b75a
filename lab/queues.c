/* queues — what recv-q and send-q count, by kind of socket. */
#include "queues.h"

#include <netinet/tcp.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "i18n.h"

enum queue_kind { KIND_LISTENER, KIND_TCP, KIND_UDP, KIND_UNIX_STREAM, KIND_UNIX_DATAGRAM,
		  KIND_COUNT };

struct queue_row {
	const char *recv_name, *send_name;
	const char *recv_q, *send_q;
	enum queue_unit recv_unit, send_unit;
	const char *note;            /* while a queue whose unit is not QUEUE_BYTES is not 0;
	                                NULL: none */
};

/* The kernel's fields, as of Linux 6: a listener's accept queue length
 * and backlog; TCP's rcv_nxt - copied_seq and write_seq - snd_una; UDP's
 * receive memory (less what is not yet charged) and sk_wmem_alloc; a Unix
 * stream's unread bytes, a Unix datagram socket's first datagram, and for
 * both the sender's sk_wmem_alloc. */
static const struct queue_row rows[KIND_COUNT] = {
	[KIND_LISTENER] = {
		.recv_name = "accept queue", .send_name = "backlog",
		.recv_q = N_("(ss's recv-q: connections completed, waiting for accept())"),
		.send_q = N_("(ss's send-q: the backlog, at most this many may wait)"),
		.recv_unit = QUEUE_CONNECTIONS, .send_unit = QUEUE_CONNECTIONS,
		.note = N_("recv-q: accept queue, send-q: backlog"),
	},
	[KIND_TCP] = {
		.recv_name = "recv-q", .send_name = "send-q",
		.recv_q = N_("bytes (received, not yet read by recv())"),
		.send_q = N_("bytes (sent, not yet acknowledged by the peer)"),
		.recv_unit = QUEUE_BYTES, .send_unit = QUEUE_BYTES,
	},
	[KIND_UDP] = {
		.recv_name = "recv-q", .send_name = "send-q",
		.recv_q = N_("bytes of kernel memory holding datagrams not yet read (the size of "
			     "their buffers, not their length)"),
		.send_q = N_("bytes of kernel memory holding datagrams not yet sent out"),
		.recv_unit = QUEUE_MEMORY, .send_unit = QUEUE_MEMORY,
		.note = N_("queues: kernel memory, not bytes of data"),
	},
	[KIND_UNIX_STREAM] = {
		.recv_name = "recv-q", .send_name = "send-q",
		.recv_q = N_("bytes (received, not yet read by recv())"),
		.send_q = N_("bytes of kernel memory charged to this sender until the peer reads "
			     "what it sent"),
		.recv_unit = QUEUE_BYTES, .send_unit = QUEUE_MEMORY,
		.note = N_("send-q: memory charged until the peer reads"),
	},
	[KIND_UNIX_DATAGRAM] = {
		.recv_name = "recv-q", .send_name = "send-q",
		.recv_q = N_("bytes: the length of the first datagram waiting"),
		.send_q = N_("bytes of kernel memory charged to this sender until the peer reads "
			     "what it sent"),
		.recv_unit = QUEUE_FIRST_DATAGRAM, .send_unit = QUEUE_MEMORY,
		.note = N_("recv-q: the first datagram's length; send-q: memory"),
	},
};

/* TCP's control flags in its queues: the peer's FIN in recv-q until
 * recv() returns 0; our SYN or FIN in send-q until acknowledged. */
struct tcp_flags_queued {
	bool peer_fin, our_syn, our_fin;
};

static struct tcp_flags_queued tcp_flags_queued(const struct lab_socket *socket)
{
	int state = socket->state;
	return (struct tcp_flags_queued){
		.peer_fin = (state == TCP_CLOSE_WAIT || state == TCP_CLOSING
			     || state == TCP_LAST_ACK)
			&& socket->recv_queue > 0,
		.our_syn = state == TCP_SYN_SENT && socket->send_queue > 0,
		.our_fin = (state == TCP_FIN_WAIT1 || state == TCP_CLOSING || state == TCP_LAST_ACK)
			&& socket->send_queue > 0,
	};
}

static enum queue_kind kind_of(const struct lab_socket *socket)
{
	bool datagram = socket->type == SOCK_DGRAM;
	if (socket->state == TCP_LISTEN)
		return KIND_LISTENER;
	if (socket->family == AF_UNIX)
		return datagram ? KIND_UNIX_DATAGRAM : KIND_UNIX_STREAM;
	return datagram ? KIND_UDP : KIND_TCP;
}

struct queue_meaning queues_meaning(const struct lab_socket *socket)
{
	enum queue_kind kind = kind_of(socket);
	const struct queue_row *row = &rows[kind];
	struct queue_meaning meaning = {
		.recv_name = row->recv_name, .send_name = row->send_name,
		.recv_q = _(row->recv_q), .send_q = _(row->send_q),
		.recv_unit = row->recv_unit, .send_unit = row->send_unit,
	};
	if (kind != KIND_TCP)
		return meaning;
	struct tcp_flags_queued flags = tcp_flags_queued(socket);
	if (flags.peer_fin)
		meaning.recv_q = _("(bytes not yet read, then the peer's FIN, which the kernel "
				   "counts as 1)");
	if (flags.our_syn)
		meaning.send_q = _("(the SYN, sent and not yet acknowledged: it counts as 1)");
	else if (flags.our_fin)
		meaning.send_q = _("(bytes sent and not yet acknowledged, then our FIN, which "
				   "counts as 1)");
	return meaning;
}

const char *queues_note(const struct lab_socket *socket)
{
	enum queue_kind kind = kind_of(socket);
	const struct queue_row *row = &rows[kind];
	if (kind == KIND_LISTENER)
		return _(row->note);
	if (kind == KIND_TCP) {
		struct tcp_flags_queued flags = tcp_flags_queued(socket);
		if (flags.peer_fin && flags.our_fin)
			return _("recv-q and send-q each count a FIN as 1");
		if (flags.peer_fin)
			return _("recv-q counts the peer's FIN as 1");
		if (flags.our_syn)
			return _("send-q counts the SYN as 1");
		if (flags.our_fin)
			return _("send-q counts our FIN as 1");
		return NULL;
	}
	bool recv_odd = row->recv_unit != QUEUE_BYTES && socket->recv_queue > 0;
	bool send_odd = row->send_unit != QUEUE_BYTES && socket->send_queue > 0;
	return recv_odd || send_odd ? _(row->note) : NULL;
}
