/* evidence — one row per (call, errno): what to show beside the error. */
#include "evidence.h"

#include <errno.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "i18n.h"
#include "packet_flags.h"
#include "queues.h"
#include "readiness.h"

/* What a row's explainer can look at. */
struct facts {
	const struct run_info *info;
	const struct lab_event *event;
	const struct lab_snapshot *before;   /* every socket before the call */
	const struct lab_snapshot *after;    /* every socket after it */
	const struct lab_event *log;         /* the run so far: log[index] is the event */
	size_t index;
};

typedef void explain_fn(const struct facts *facts, char *out, size_t size);

static const char *side_name(const struct facts *facts, int side)
{
	return side >= 0 && side < facts->info->side_count ? facts->info->sides[side] : "?";
}

/* The socket `side` holds as `fd` in a snapshot, or NULL. */
static const struct lab_socket *held(const struct lab_snapshot *snapshot, int side, int fd)
{
	for (size_t i = 0; snapshot && i < snapshot->count; i++)
		if (snapshot->sockets[i]->side == side && snapshot->sockets[i]->fd == fd && fd >= 0)
			return snapshot->sockets[i];
	return NULL;
}

/* Do two addresses name the same place, a wildcard host matching any? */
static bool same_place(const struct lab_address *local, const struct lab_address *target)
{
	return lab_address_equal(local, target)
		|| (lab_address_same_port(local, target) && lab_address_is_wildcard(local));
}


static const char *state_words(const struct lab_socket *socket)
{
	if (socket->note == NOTE_DROPPED || socket->note == NOTE_RESET)
		return _("gone from the kernel's tables");
	return socket->state == 0 ? _("no address yet") : lab_socket_state_text(socket);
}

static void describe_socket(const struct facts *facts, const struct lab_socket *socket, char *out,
			    size_t size)
{
	char who[96];
	if (socket->name[0])
		snprintf(who, sizeof who, _("%s's %s"), side_name(facts, socket->side),
			 socket->name);
	else
		snprintf(who, sizeof who, _("a socket of %s"), side_name(facts, socket->side));
	if (socket->fd < 0)
		snprintf(out, size, _("%s (no fd, %s)"), who, state_words(socket));
	else
		snprintf(out, size, _("%s (fd %d, %s)"), who, socket->fd, state_words(socket));
}

/* The value a setsockopt() gave `option` ("SO_REUSEADDR") in a call's
 * text, as typed ("..., SO_REUSEADDR, 1)") or as traced ("[1], 4)"); -1
 * when the call does not set that option. */
static long option_in_text(const char *text, const char *option)
{
	const char *at = strstr(text, option);
	if (!at)
		return -1;
	at += strlen(option);
	while (*at == ',' || *at == ' ' || *at == '[')
		at++;
	char *end;
	long value = strtol(at, &end, 0);
	return end == at ? -1 : value;
}

/* Whether the socket `side` held as `fd` just before log[index] had
 * `option` on: its last successful setsockopt of it, back to the call
 * that made the socket. An accepted socket starts as a copy of its
 * listener (the kernel clones it), options included; a forked side's
 * fd is its parent's socket. -1: the lab did not see the socket made. */
static int option_before(const struct facts *facts, int side, int fd, size_t index,
			 const char *option)
{
	for (size_t i = index; i-- > 0;) {
		const struct lab_event *then = &facts->log[i];
		if (then->side != side || then->kind == EVENT_BLOCKED
		    || then->kind == EVENT_NOT_RUN)
			continue;
		if (then->call == CALL_SETSOCKOPT && then->fd_argument == fd && then->ret == 0) {
			long value = option_in_text(then->text, option);
			if (value >= 0)
				return value != 0;
		}
		if ((then->call == CALL_SOCKET || then->call == CALL_ACCEPT) && then->ret == fd)
			return then->call == CALL_ACCEPT
				? option_before(facts, side, then->fd_argument, i, option)
				: 0;
		/* fork()'s child (its answer is 0) holds its parent's sockets. */
		if (then->call == CALL_FORK && then->ret == 0)
			for (size_t k = i; k-- > 0;)
				if (facts->log[k].call == CALL_FORK && facts->log[k].side != side
				    && facts->log[k].ret > 0)
					return option_before(facts, facts->log[k].side, fd, k,
							     option);
	}
	return -1;
}

/* Where a socket no fd holds any more was last held by one: the event
 * whose snapshot shows the same connection (side, addresses) with an fd.
 * Returns that event's index and the fd, or false. */
static bool last_holder(const struct facts *facts, const struct lab_socket *socket, size_t *index,
			int *fd)
{
	for (size_t i = facts->index; i-- > 0;)
		for (size_t k = 0; k < facts->log[i].snapshot.count; k++) {
			const struct lab_socket *was = facts->log[i].snapshot.sockets[k];
			if (was->fd >= 0 && was->side == socket->side
			    && lab_address_equal(&was->local, &socket->local)
			    && lab_address_equal(&was->peer, &socket->peer)) {
				*index = i + 1;
				*fd = was->fd;
				return true;
			}
		}
	return false;
}

/* An address split for the kernel's matching: the host as IPv4 (v4-mapped
 * IPv6 counts as IPv4: it goes out as IPv4) or IPv6, without its port. */
struct place {
	bool v4, v6, wildcard;
	struct lab_address host; /* 127.0.0.1, ::1; the IPv4 one of a v4-mapped one; port 0 */
};

static bool place_of(const struct lab_address *address, struct place *out)
{
	memset(out, 0, sizeof *out);
	if (!lab_address_is_inet(address))
		return false;
	out->host = lab_address_unmapped(address);
	out->v4 = out->host.kind == LAB_ADDRESS_IPV4;
	out->v6 = !out->v4;
	out->wildcard = lab_address_is_wildcard(&out->host);
	out->host.port = 0;
	out->host.flags = 0;
	return true;
}

/* Whether the kernel gives a connection to `target` to this listener, as
 * its lookup does: ports equal; an AF_INET listener takes IPv4 (a
 * v4-mapped target is IPv4); an AF_INET6 one on [::] takes IPv6, and
 * IPv4 too unless IPV6_V6ONLY is set; a specific host only itself. *why
 * says, when it does not, what the listener takes. */
static bool listener_takes(const struct lab_socket *listener, const struct lab_address *target,
			   int v6only, const char **why)
{
	*why = NULL;
	if (listener->family == AF_UNIX || !lab_address_is_inet(target))
		return lab_address_equal(&listener->local, target);
	struct place own, to;
	if (!place_of(&listener->local, &own) || !place_of(target, &to)
	    || !lab_address_same_port(&listener->local, target))
		return false;
	if (listener->family == AF_INET6 && own.wildcard) {
		if (to.v4 && v6only == 1)
			*why = _("IPV6_V6ONLY set: IPv6 only");
		return to.v6 || v6only != 1;
	}
	if (own.v4 && to.v6) {
		*why = listener->family == AF_INET ? _("an AF_INET socket: IPv4 only")
						   : _("IPv4 only");
		return false;
	}
	if (own.v6 && to.v4) {
		*why = _("IPv6 only");
		return false;
	}
	return own.wildcard || lab_address_equal(&own.host, &to.host);
}

static int listener_v6only(const struct facts *facts, const struct lab_socket *listener)
{
	if (listener->family != AF_INET6 || listener->fd < 0)
		return 0;
	return option_before(facts, listener->side, listener->fd, facts->index, "IPV6_V6ONLY");
}

static void explain_refused(const struct facts *facts, char *out, size_t size)
{
	const struct lab_address *target = &facts->event->target;
	const char *why;
	for (size_t i = 0; i < facts->before->count; i++) {
		const struct lab_socket *socket = facts->before->sockets[i];
		if (socket->state == TCP_LISTEN
		    && listener_takes(socket, target, listener_v6only(facts, socket), &why)) {
			char who[160];
			describe_socket(facts, socket, who, sizeof who);
			snprintf(out, size,
				 _("%s was in LISTEN on %s before the call, accept queue %u of %u; "
				   "a full accept "
				   "queue drops a SYN, it never refuses one"),
				 who, lab_address_shown(&socket->local).text, socket->recv_queue,
				 socket->send_queue);
			return;
		}
	}
	/* The listeners then, then one whole sentence (Chinese puts them elsewhere). */
	char listening[512] = "";
	size_t at = 0;
	bool any = false;
	for (size_t i = 0; i < facts->before->count && at < sizeof listening; i++) {
		const struct lab_socket *socket = facts->before->sockets[i];
		if (socket->state != TCP_LISTEN)
			continue;
		listener_takes(socket, target, listener_v6only(facts, socket), &why);
		at += (size_t)snprintf(listening + at, sizeof listening - at, "%s%s%s%s%s",
				       any ? ", " : "", lab_address_shown(&socket->local).text,
				       why ? " (" : "", why ? why : "", why ? ")" : "");
		any = true;
	}
	if (!any)
		snprintf(listening, sizeof listening, "%s", _("none"));
	at = (size_t)snprintf(out, size, _("nothing was in LISTEN on %s (listening then: %s)"),
			      lab_address_shown(target).text, listening);
	/* With the wire captured, the RST itself is the evidence. */
	for (size_t i = 0; i < facts->event->packet_count && at < size; i++) {
		const struct wire_packet *packet = &facts->event->packets[i];
		if (packet->flags & PACKET_FLAG_RST) {
			char flags[PACKET_FLAGS_TEXT_MAX];
			packet_flags_text(packet->protocol, packet->flags, flags, sizeof flags);
			snprintf(out + at, size - at,
				 _("; the kernel answered the SYN with %s from %s"), flags,
				 lab_address_shown(&packet->from).text);
			return;
		}
	}
}

/* A unix path nobody of the lab holds: the file is there. Says who left
 * it, when the lab saw that bind. */
static void explain_file_in_use(const struct facts *facts, char *out, size_t size)
{
	struct lab_address_shown target = lab_address_shown(&facts->event->target);
	for (size_t i = facts->index; i-- > 0;) {
		const struct lab_event *then = &facts->log[i];
		if (then->call == CALL_BIND && then->ret == 0
		    && lab_address_equal(&then->target, &facts->event->target)) {
			snprintf(out, size,
				 _("the file %s is still there, made by the bind in step %zu (%s: "
				   "%s): closing a unix socket leaves its file behind, and bind() "
				   "never replaces a file; unlink() it first"),
				 target.text, then->step, side_name(facts, then->side), then->text);
			return;
		}
	}
	snprintf(out, size,
		 _("a file %s exists (a socket that held it left it behind when it closed): bind() "
		   "never replaces a file; unlink() it first"),
		 target.text);
}

/* The name of the listener the socket `side` held as `fd` before
 * log[index] was accepted from, or NULL when accept() did not make it. */
static const char *accepted_from(const struct facts *facts, int side, int fd, size_t index)
{
	for (size_t i = index; i-- > 0;) {
		const struct lab_event *then = &facts->log[i];
		if (then->side != side || (then->call != CALL_SOCKET && then->call != CALL_ACCEPT)
		    || then->ret != fd)
			continue;
		if (then->call != CALL_ACCEPT)
			return NULL;
		for (size_t k = 0; k < then->snapshot.count; k++)
			if (then->snapshot.sockets[k]->side == side
			    && then->snapshot.sockets[k]->fd == then->fd_argument) {
				const char *name = then->snapshot.sockets[k]->name;
				return name[0] ? name : _("the listener");
			}
		return _("the listener");
	}
	return NULL;
}

/* TIME-WAIT holds the port unless both sockets said SO_REUSEADDR: the new
 * one (the caller) and the one whose connection this was. */
static size_t say_reuse(const struct facts *facts, const struct lab_socket *holder, char *out,
			size_t size)
{
	int new_reuse = option_before(facts, facts->event->side, facts->event->fd_argument,
				      facts->index, "SO_REUSEADDR");
	size_t when;
	int fd;
	int old_reuse = last_holder(facts, holder, &when, &fd)
		? option_before(facts, holder->side, fd, when, "SO_REUSEADDR")
		: -1;
	const char *old = holder->name[0] ? holder->name : _("the old socket");
	/* The rule is a whole clause; each format below ends the sentence with who
	 * set the option. */
	const char *rule = _(": TIME-WAIT keeps the address until it ends; a new socket binds "
			     "beside it only when both set SO_REUSEADDR");
	if (old_reuse < 0)
		return (size_t)snprintf(
			out, size,
			new_reuse == 1
				? _("%s (this one did; the lab did not see whether %s did)")
				: _("%s (this one did not; the lab did not see whether %s did)"),
			rule, old);
	if (new_reuse == 1 && old_reuse == 1)
		return (size_t)snprintf(out, size, _("%s, and both did"), rule);
	if (new_reuse == 1 && accepted_from(facts, holder->side, fd, when))
		return (size_t)snprintf(out, size,
					_("%s: this one did, %s did not (an accepted socket has "
					  "its listener's options, and %s had not set it)"),
					rule, old, accepted_from(facts, holder->side, fd, when));
	if (new_reuse == 1)
		return (size_t)snprintf(out, size, _("%s: this one did, %s did not"), rule, old);
	if (old_reuse == 1)
		return (size_t)snprintf(out, size, _("%s: %s did, this one did not"), rule, old);
	return (size_t)snprintf(out, size, _("%s: neither did"), rule);
}

static void explain_in_use(const struct facts *facts, char *out, size_t size)
{
	const struct lab_address *target_value = &facts->event->target;
	struct lab_address_shown target = lab_address_shown(target_value);
	for (size_t i = 0; i < facts->before->count; i++) {
		const struct lab_socket *socket = facts->before->sockets[i];
		if (!same_place(&socket->local, target_value)
		    && !same_place(target_value, &socket->local))
			continue;
		char who[160];
		describe_socket(facts, socket, who, sizeof who);
		size_t at = (size_t)snprintf(out, size, _("%s already holds %s"), who,
					     lab_address_shown(&socket->local).text);
		if (socket->state == TCP_TIME_WAIT && at < size)
			say_reuse(facts, socket, out + at, size - at);
		return;
	}
	if (lab_address_is(target_value, LAB_ADDRESS_UNIX_PATH))
		explain_file_in_use(facts, out, size);
	else
		snprintf(out, size, _("another socket holds %s (not one of the lab's)"),
			 target.text);
}

/* The socket the call's fd held before it, as a sentence's subject. */
static void describe_fd(const struct facts *facts, char *out, size_t size)
{
	const struct lab_socket *socket =
		held(facts->before, facts->event->side, facts->event->fd_argument);
	if (socket)
		describe_socket(facts, socket, out, size);
	else
		snprintf(out, size, _("%s's fd %d"), side_name(facts, facts->event->side),
			 facts->event->fd_argument);
}

/* `sentence`: a translated format whose one %s is that socket (Chinese
 * and English put the subject first, other languages may not). */
static void explain_fd_state(const struct facts *facts, const char *sentence, char *out,
			     size_t size)
{
	char who[160];
	describe_fd(facts, who, sizeof who);
	snprintf(out, size, sentence, who);
}

static void explain_accept_invalid(const struct facts *facts, char *out, size_t size)
{
	explain_fd_state(facts, _("%s is not listening: accept() needs listen() first"), out, size);
}

static void explain_bind_invalid(const struct facts *facts, char *out, size_t size)
{
	const struct lab_socket *socket =
		held(facts->before, facts->event->side, facts->event->fd_argument);
	if (socket && !lab_address_is(&socket->local, LAB_ADDRESS_NONE))
		snprintf(out, size, _("the socket already has an address, %s: a socket binds once"),
			 lab_address_shown(&socket->local).text);
	else
		explain_fd_state(facts, _("%s cannot take this address"), out, size);
}

static void explain_not_connected(const struct facts *facts, char *out, size_t size)
{
	explain_fd_state(
		facts, _("%s has no peer: a stream socket sends and receives only once connected"),
		out, size);
}

static void explain_already_connected(const struct facts *facts, char *out, size_t size)
{
	const struct lab_socket *socket =
		held(facts->before, facts->event->side, facts->event->fd_argument);
	if (socket && socket->state == TCP_LISTEN)
		explain_fd_state(facts,
				 _("%s is listening: a listener only accepts connections; Linux "
				   "answers its connect() with EISCONN"),
				 out, size);
	else if (socket)
		snprintf(out, size, _("the socket is already %s with %s"),
			 lab_socket_state_text(socket), lab_address_shown(&socket->peer).text);
	else
		explain_fd_state(facts, _("%s is already connected"), out, size);
}

/* connect() on a non-blocking socket returns before the handshake ends;
 * the lab reads the kernel a moment later, when on loopback it has often
 * ended already: say which, from the state the probe saw. */
static void explain_in_progress(const struct facts *facts, char *out, size_t size)
{
	const struct lab_socket *socket =
		held(facts->after, facts->event->side, facts->event->fd_argument);
	if (socket && socket->state == TCP_SYN_SENT)
		snprintf(out, size, "%s",
			 _("a non-blocking connect returns before the handshake ends: the socket "
			   "is SYN-SENT, the handshake still going on; SO_ERROR will tell "
			   "how it ends"));
	else if (socket && socket->state != 0 && socket->state != TCP_CLOSE)
		snprintf(out, size,
			 _("a non-blocking connect returns before the handshake ends; when the lab "
			   "read the kernel just after, the handshake had already ended: the "
			   "socket is %s; SO_ERROR reads 0"),
			 lab_socket_state_text(socket));
	else
		snprintf(out, size, "%s",
			 _("a non-blocking connect returns at once, and this one has already "
			   "ended: the socket is in no kernel table; SO_ERROR tells how (a refusal "
			   "reads 111, ECONNREFUSED)"));
}

/* EAGAIN: the call would have had to wait, and either this call asked not
 * to (MSG_DONTWAIT) or the socket is non-blocking. */
static void explain_would_block(const struct facts *facts, char *out, size_t size)
{
	const struct lab_socket *socket =
		held(facts->before, facts->event->side, facts->event->fd_argument);
	/* `why` is a whole clause; each format adds the second one. */
	const char *why = strstr(facts->event->text, "MSG_DONTWAIT")
		? _("this call was non-blocking (MSG_DONTWAIT)")
		: _("the socket is non-blocking");
	if (socket && socket->state == TCP_LISTEN)
		snprintf(out, size, _("%s and its accept queue was empty (0 of %u)"), why,
			 socket->send_queue);
	else if (socket)
		snprintf(out, size,
			 facts->event->call == CALL_RECV || facts->event->call == CALL_RECVFROM
				 ? _("%s and nothing waited to be read (recv-q %u, send-q %u)")
				 : _("%s and the send buffer was full (recv-q %u, send-q %u)"),
			 why, socket->recv_queue, socket->send_queue);
	else
		snprintf(out, size, _("%s and the call would have had to wait"), why);
}

static void explain_bad_fd(const struct facts *facts, char *out, size_t size)
{
	/* Its fds then ("3=ls 4=c"), then one whole sentence. */
	char fds[512] = "";
	size_t at = 0;
	for (size_t i = 0; i < facts->before->count && at < sizeof fds; i++) {
		const struct lab_socket *socket = facts->before->sockets[i];
		if (socket->side != facts->event->side || socket->fd < 0)
			continue;
		at += (size_t)snprintf(fds + at, sizeof fds - at, "%s%d%s%s", at ? " " : "",
				       socket->fd, socket->name[0] ? "=" : "", socket->name);
	}
	snprintf(out, size, _("%s holds no fd %d (its sockets then: %s)"),
		 side_name(facts, facts->event->side), facts->event->fd_argument,
		 fds[0] ? fds : _("none"));
}

/* The socket's last addresses: a reset socket is in no kernel table, so
 * the probe shows it without any; the snapshots before still have them.
 * Back through the run while the fd is this socket: not past the call
 * that made it (socket, accept) or a close of the fd. */
static const struct lab_socket *last_addressed(const struct facts *facts,
					       const struct lab_socket *socket)
{
	if (!lab_address_is(&socket->local, LAB_ADDRESS_NONE))
		return socket;
	const int side = facts->event->side, fd = facts->event->fd_argument;
	for (size_t i = facts->index; i-- > 0;) {
		const struct lab_event *then = &facts->log[i];
		if (then->side == side && then->call == CALL_CLOSE && then->fd_argument == fd)
			return NULL;
		const struct lab_socket *was = held(&then->snapshot, side, fd);
		if (was && !lab_address_is(&was->local, LAB_ADDRESS_NONE)
		    && !lab_address_is(&was->peer, LAB_ADDRESS_NONE))
			return was;
		if (then->side == side && (then->call == CALL_SOCKET || then->call == CALL_ACCEPT)
		    && then->ret == fd)
			return NULL;
	}
	return NULL;
}

/* The latest packet from `from` to `to` with the TCP flag `flag`, in the
 * run so far (this event's packets included); its event through *when. */
static const struct wire_packet *last_packet(const struct facts *facts,
					     const struct lab_address *from,
					     const struct lab_address *to, enum packet_flag flag,
					     const struct lab_event **when)
{
	for (size_t i = facts->index + 1; i-- > 0;)
		for (size_t k = facts->log[i].packet_count; k-- > 0;) {
			const struct wire_packet *packet = &facts->log[i].packets[k];
			if ((packet->flags & flag) && lab_address_equal(&packet->from, from)
			    && lab_address_equal(&packet->to, to)) {
				*when = &facts->log[i];
				return packet;
			}
		}
	return NULL;
}

/* The latest shutdown() the side made on the fd, or NULL. */
static const struct lab_event *last_shutdown(const struct facts *facts)
{
	const struct lab_event *event = facts->event;
	for (size_t i = facts->index; i-- > 0;) {
		const struct lab_event *then = &facts->log[i];
		if (then->side == event->side && then->fd_argument == event->fd_argument
		    && then->ret == 0 && then->call == CALL_SHUTDOWN)
			return then;
		if (then->side == event->side && then->call == CALL_SOCKET
		    && then->ret == event->fd_argument)
			return NULL;   /* the fd was a different socket before this one */
	}
	return NULL;
}

/* "; the RST came from 127.0.0.1:65432 in step 14 (client: send(c2, "anyone?"))",
 * or the peer's FIN, or where the peer is now: the evidence of a broken
 * connection, from the wire and the peer's socket. */
static size_t describe_peer(const struct facts *facts, const struct lab_socket *socket, char *out,
			    size_t size)
{
	const struct lab_event *when = NULL;
	const struct wire_packet *reset =
		last_packet(facts, &socket->peer, &socket->local, PACKET_FLAG_RST, &when);
	if (reset)
		return (size_t)snprintf(out, size, _("; the RST came from %s in step %zu (%s: %s)"),
					lab_address_shown(&socket->peer).text, when->step,
					side_name(facts, when->side), when->text);
	size_t at = 0;
	const struct wire_packet *fin =
		last_packet(facts, &socket->peer, &socket->local, PACKET_FLAG_FIN, &when);
	if (fin)
		at += (size_t)snprintf(out, size, _("; the peer's FIN came in step %zu (%s: %s)"),
				       when->step, side_name(facts, when->side), when->text);
	for (size_t i = 0; i < facts->before->count && at < size; i++) {
		const struct lab_socket *peer = facts->before->sockets[i];
		if (lab_address_equal(&peer->local, &socket->peer)
		    && lab_address_equal(&peer->peer, &socket->local)) {
			char who[160];
			describe_socket(facts, peer, who, sizeof who);
			return at
				+ (size_t)snprintf(out + at, size - at, _("; the other end is %s"),
						   who);
		}
	}
	if (at < size)
		at += (size_t)snprintf(out + at, size - at,
				       _("; no socket holds the other end, %s, any more"),
				       lab_address_shown(&socket->peer).text);
	return at;
}

/* A unix socket has no wire and no RST: the evidence is the close of the
 * socket at the other end. Its peer is what it connected to; when that was
 * a listener and it was closed, the connection died in its accept queue. */
static void explain_unix_broken(const struct facts *facts, const struct lab_socket *socket,
				char *out, size_t size)
{
	const struct lab_event *event = facts->event;
	const struct lab_address *target = NULL;
	size_t connected = 0;
	for (size_t i = facts->index; i-- > 0;)
		if (facts->log[i].side == event->side
		    && facts->log[i].fd_argument == event->fd_argument
		    && facts->log[i].call == CALL_CONNECT && facts->log[i].ret == 0) {
			target = &facts->log[i].target;
			connected = i;
			break;
		}
	for (size_t i = connected + 1; target && i < facts->index; i++) {
		const struct lab_event *then = &facts->log[i];
		if (then->call != CALL_CLOSE || then->ret != 0 || i == 0)
			continue;
		const struct lab_socket *closed =
			held(&facts->log[i - 1].snapshot, then->side, then->fd_argument);
		if (closed && closed->state == TCP_LISTEN
		    && lab_address_equal(&closed->local, target)) {
			char who[160];
			describe_socket(facts, closed, who, sizeof who);
			snprintf(out, size,
				 _("a unix socket gets no RST: the listener it connected to, %s on "
				   "%s, was closed in step %zu (%s: %s) with this connection still "
				   "in its accept queue"),
				 who, lab_address_shown(target).text, then->step,
				 side_name(facts, then->side), then->text);
			return;
		}
	}
	(void)socket;
	explain_fd_state(facts, _("%s lost its peer: the socket at the other end was closed"), out,
			 size);
}

/* EPIPE and ECONNRESET: this end was shut down, never connected, or the
 * peer went away; each said with what shows it. */
static void explain_broken(const struct facts *facts, char *out, size_t size)
{
	const struct lab_socket *socket =
		held(facts->before, facts->event->side, facts->event->fd_argument);
	const struct lab_event *shut = facts->event->error == EPIPE ? last_shutdown(facts) : NULL;
	if (shut) {
		char who[160];
		describe_fd(facts, who, sizeof who);
		snprintf(out, size,
			 _("%s can send no more: this end shut down its sending side in step "
			   "%zu (%s)"),
			 who, shut->step, shut->text);
		return;
	}
	if (socket && socket->family == AF_UNIX) {
		explain_unix_broken(facts, socket, out, size);
		return;
	}
	const struct lab_socket *addressed = socket ? last_addressed(facts, socket) : NULL;
	if (!addressed || lab_address_is(&addressed->peer, LAB_ADDRESS_NONE)) {
		explain_fd_state(facts,
				 facts->event->error == EPIPE
					 ? _("%s was never connected: Linux answers send() on an "
					     "unconnected TCP socket with EPIPE, not ENOTCONN")
					 : _("%s has no connection"),
				 out, size);
		return;
	}
	explain_fd_state(facts,
			 socket->note == NOTE_RESET ? _("%s was reset")
						    : _("%s lost its connection"),
			 out, size);
	size_t at = strlen(out);
	if (at < size)
		describe_peer(facts, addressed, out + at, size - at);
}

static void explain_no_file(const struct facts *facts, char *out, size_t size)
{
	snprintf(out, size,
		 _("no socket file %s exists: nothing was bound there, or it was unlinked"),
		 lab_address_shown(&facts->event->target).text);
}

static const struct {
	enum call_id call;   /* CALL_COUNT: any call */
	int error;
	explain_fn *explain;
} rows[] = {
	{ CALL_CONNECT, ECONNREFUSED, explain_refused },
	{ CALL_SENDTO, ECONNREFUSED, explain_refused },
	{ CALL_BIND, EADDRINUSE, explain_in_use },
	{ CALL_BIND, EINVAL, explain_bind_invalid },
	{ CALL_ACCEPT, EINVAL, explain_accept_invalid },
	{ CALL_CONNECT, EISCONN, explain_already_connected },
	{ CALL_CONNECT, EINPROGRESS, explain_in_progress },
	{ CALL_CONNECT, ENOENT, explain_no_file },
	{ CALL_SEND, ENOTCONN, explain_not_connected },
	{ CALL_SENDALL, ENOTCONN, explain_not_connected },
	{ CALL_RECV, ENOTCONN, explain_not_connected },
	{ CALL_GETPEERNAME, ENOTCONN, explain_not_connected },
	{ CALL_SHUTDOWN, ENOTCONN, explain_not_connected },
	{ CALL_SEND, EPIPE, explain_broken },
	{ CALL_SENDALL, EPIPE, explain_broken },
	{ CALL_RECV, ECONNRESET, explain_broken },
	{ CALL_SEND, ECONNRESET, explain_broken },
	{ CALL_SENDALL, ECONNRESET, explain_broken },
	{ CALL_SENDTO, EPIPE, explain_broken },
	{ CALL_RECVFROM, ECONNRESET, explain_broken },
	{ CALL_COUNT, EAGAIN, explain_would_block },
	{ CALL_COUNT, EBADF, explain_bad_fd },
};

/* Why an fd reported POLLIN, from its state and queues after the call. */
static const char *why_readable(const struct lab_socket *socket, char *text, size_t size)
{
	if (socket->state == TCP_LISTEN && socket->recv_queue > 0) {
		snprintf(text, size,
			 ngettext("%u connection waits in its accept queue",
				  "%u connections wait in its accept queue", socket->recv_queue),
			 socket->recv_queue);
		return text;
	}
	/* After the peer's FIN the kernel's receive queue counts the FIN as
	 * one more: recv-q 1 is the FIN alone, N + 1 is N bytes, then the FIN. */
	if (socket->state == TCP_CLOSE_WAIT && socket->recv_queue > 1) {
		snprintf(
			text, size,
			ngettext("%u byte waits in its receive queue, then the peer's FIN (recv-q "
				 "%u counts it): recv() returns the bytes first, 0 only after them",
				 "%u bytes wait in its receive queue, then the peer's FIN (recv-q "
				 "%u counts it): recv() returns the bytes first, 0 only after them",
				 socket->recv_queue - 1),
			socket->recv_queue - 1, socket->recv_queue);
		return text;
	}
	if (socket->state == TCP_CLOSE_WAIT)
		return _(
			"the peer sent its FIN and no bytes wait before it: recv() would return 0");
	if (socket->recv_queue > 0) {
		enum queue_unit unit = queues_meaning(socket).recv_unit;
		const char *format = ngettext("%u byte waits in its receive queue",
					      "%u bytes wait in its receive queue",
					      socket->recv_queue);
		if (unit == QUEUE_MEMORY)
			format = _("datagrams wait in its receive queue (%u bytes of kernel "
				   "memory)");
		else if (unit == QUEUE_FIRST_DATAGRAM)
			format = _("datagrams wait in its receive queue (the first is %u bytes)");
		snprintf(text, size, format, socket->recv_queue);
		return text;
	}
	if (socket->note == NOTE_DROPPED || socket->note == NOTE_RESET)
		return _("the connection is gone from the kernel's tables: recv() would return its "
			 "error at once");
	return NULL;
}

static const char *why_writable(const struct lab_socket *socket, char *text, size_t size)
{
	if (queues_meaning(socket).send_unit == QUEUE_MEMORY) {
		snprintf(text, size,
			 _("room in its send buffer (%u bytes of kernel memory charged): send() "
			   "would not wait"),
			 socket->send_queue);
		return text;
	}
	snprintf(text, size,
		 ngettext("room in its send buffer (%u byte queued): send() would not wait",
			  "room in its send buffer (%u bytes queued): send() would not wait",
			  socket->send_queue),
		 socket->send_queue);
	return text;
}

static const char *why_hung_up(const struct lab_socket *socket, char *text, size_t size)
{
	(void)socket;
	(void)text;
	(void)size;
	return _(
		"the connection is over both ways (closed or reset): nothing more will come or go");
}

static const char *why_error(const struct lab_socket *socket, char *text, size_t size)
{
	(void)text;
	(void)size;
	return socket->note == NOTE_RESET
		? _("an error waits on the socket (the peer's reset): the next call returns it")
		: _("an error waits on the socket: the next call returns it");
}

static const char *why_peer_shut(const struct lab_socket *socket, char *text, size_t size)
{
	(void)socket;
	(void)text;
	(void)size;
	return _("the peer shut down its sending side (its FIN arrived)");
}

/* What each readiness bit says of a socket, from what the probe saw: a
 * row per bit, as the kernel's poll and epoll name them. */
static const struct {
	uint32_t bit;
	const char *name;
	const char *(*why)(const struct lab_socket *socket, char *text, size_t size);
} readiness_reasons[] = {
	{ POLLIN, "POLLIN", why_readable },
	{ POLLOUT, "POLLOUT", why_writable },
	{ POLLRDHUP, "POLLRDHUP", why_peer_shut },
	{ POLLHUP, "POLLHUP", why_hung_up },
	{ POLLERR, "POLLERR", why_error },
};

/* Why each ready fd was ready, from its queues after the call: a reason
 * for each event the kernel reported (POLLIN alone keeps its one line). */
static const char *explain_ready(const struct run_info *info, const struct lab_event *event,
				 char *out, size_t size)
{
	size_t at = 0;
	out[0] = '\0';
	for (size_t i = 0; i < event->snapshot.count && at < size; i++) {
		const struct lab_socket *socket = event->snapshot.sockets[i];
		if (socket->side != event->side || socket->fd < 0 || !socket->name[0])
			continue;
		/* Only sockets the result names as ready, with the events shown. */
		uint32_t events = 0;
		for (size_t k = 0; k < event->ready_count; k++)
			if (strcmp(event->ready[k].name, socket->name) == 0)
				events = readiness_named(event->ready[k].events);
		if (!events)
			continue;
		bool only_in = events == POLLIN;
		for (size_t r = 0;
		     r < sizeof readiness_reasons / sizeof readiness_reasons[0] && at < size; r++) {
			bool reported = events & readiness_reasons[r].bit;
			char text[160];
			const char *reason = reported
				? readiness_reasons[r].why(socket, text, sizeof text)
				: NULL;
			if (!reason)
				continue;
			/* "conn1: 12 bytes wait ..." for plain readability; with
			 * more than POLLIN, each event names itself: "conn2 POLLHUP: ..." */
			at += (size_t)snprintf(out + at, size - at, "%s%s%s%s: %s", at ? "; " : "",
					       socket->name, only_in ? "" : " ",
					       only_in ? "" : readiness_reasons[r].name, reason);
		}
	}
	(void)info;
	return out[0] ? out : NULL;
}

const char *evidence_explain(const struct run_info *info, const struct lab_event *events,
			     size_t index, char *out, size_t size)
{
	const struct lab_event *event = &events[index];
	if (event->ready_count && event->ret > 0)
		return explain_ready(info, event, out, size);
	if (event->ret != -1 || event->error == 0
	    || (event->kind != EVENT_RETURNED && event->kind != EVENT_WOKE))
		return NULL;
	if (event->refusal[0]) {
		/* No kernel saw the call: the lab's reason is the evidence. */
		snprintf(out, size, _("the lab refused the call: %s"), event->refusal);
		return out;
	}
	/* Before the call: the snapshot that ended the previous step. */
	static const struct lab_snapshot nothing;
	const struct lab_snapshot *before = &nothing;
	for (size_t i = index; i-- > 0;)
		if (events[i].step != event->step) {
			before = &events[i].snapshot;
			break;
		}
	struct facts facts = { .info = info, .event = event, .before = before,
			       .after = &event->snapshot, .log = events, .index = index };
	for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++)
		if ((rows[r].call == event->call || rows[r].call == CALL_COUNT)
		    && rows[r].error == event->error) {
			rows[r].explain(&facts, out, size);
			return out;
		}
	return NULL;
}
