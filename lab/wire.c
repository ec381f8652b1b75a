/* wire — packets to events, the sides of segments, reset notes, held
 * segments (wire.h). */
#include "wire.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "packet_flags.h"

/* A socket an fd holds that is in no kernel table any more was reset
 * when an RST for one of its connections crossed the wire, or a call on
 * the fd returned the kernel's word for it; else it was closed. */
static enum socket_note gone_note(const struct session *session, uint32_t inode, int side, int fd)
{
	for (size_t i = session->event_count; i-- > 0;) {
		const struct lab_event *event = &session->events[i];
		if (event->side == side && event->fd_argument == fd && event->ret == -1
		    && (event->error == ECONNRESET || event->error == ECONNREFUSED))
			return NOTE_RESET;
		if (event->side == side
		    && (event->call == CALL_SOCKET || event->call == CALL_ACCEPT)
		    && event->ret == fd)
			break;
	}
	for (size_t m = 0; m < tie_remembered_count(session->tie); m++) {
		struct tie_remembered was = tie_remembered_at(session->tie, m);
		if (was.inode != inode || lab_address_is(was.peer, LAB_ADDRESS_NONE))
			continue;
		for (size_t i = 0; i < session->event_count; i++)
			for (size_t k = 0; k < session->events[i].packet_count; k++) {
				const struct wire_packet *packet = &session->events[i].packets[k];
				if ((packet->flags & PACKET_FLAG_RST)
				    && ((lab_address_same_endpoint(was.local, &packet->from)
					 && lab_address_same_endpoint(was.peer, &packet->to))
					|| (lab_address_same_endpoint(was.peer, &packet->from)
					    && lab_address_same_endpoint(was.local, &packet->to))))
					return NOTE_RESET;
			}
	}
	return NOTE_DROPPED;
}

/* The tie says an fd's socket left every table (NOTE_DROPPED); whether
 * it was reset is the wire's and the calls' to say. Again after new
 * packets: a gone socket's RST may have just arrived. */
int wire_mark_resets(struct session *session, char **err)
{
	for (size_t i = 0; i < session->snapshot.count; i++) {
		const struct lab_socket *socket = session->snapshot.sockets[i];
		if (socket->note != NOTE_DROPPED)
			continue;
		enum socket_note note = gone_note(session, socket->inode, socket->side, socket->fd);
		if (note == socket->note)
			continue;
		struct lab_socket *own = lab_snapshot_edit(&session->snapshot, i);
		if (!own)
			return text_error(err, "out of memory");
		own->note = note;
	}
	return 0;
}

int wire_open_capture(struct session *session, char **err)
{
	if (!session->capturing)
		return 0;
	session->info.wire[0] = '\0';
	/* Only in the lab's own namespace: on the host, lo carries everybody's
	 * traffic, and whether it may be read depends on who runs the lab. */
	if (session->sandbox->kind != SANDBOX_NETNS) {
		snprintf(session->info.wire, sizeof session->info.wire,
			 "%s", _("no packets: capture needs the lab's private network namespace"));
		return 0;
	}
	char *why = NULL;
	if (capture_open(&session->capture, &why) < 0) {
		snprintf(session->info.wire, sizeof session->info.wire, _("no packets: %s"),
			 why ? why : _("capture failed"));
		free(why);
		session->capture = NULL;
		return 0;
	}
	if (session->pcap && capture_set_file(session->capture, session->pcap, err) < 0)
		return -1;
	return 0;
}

/* Which side sent from `address`: the socket with that local address, or
 * one the lab remembers (a closed one in TIME-WAIT still sends ACKs). */
int wire_side_of_address(const struct session *session, int family,
			 const struct lab_address *address)
{
	for (size_t i = 0; i < session->snapshot.count; i++)
		if (session->snapshot.sockets[i]->family == family
		    && session->snapshot.sockets[i]->side >= 0
		    && lab_address_equal(&session->snapshot.sockets[i]->local, address)
		    && session->snapshot.sockets[i]->state != TCP_LISTEN)
			return session->snapshot.sockets[i]->side;
	int remembered = tie_remembered_side(session->tie, family, address);
	if (remembered >= 0)
		return remembered;
	/* A listener's address answers for its queued children too. */
	for (size_t i = 0; i < session->snapshot.count; i++)
		if (session->snapshot.sockets[i]->family == family
		    && lab_address_equal(&session->snapshot.sockets[i]->local, address))
			return session->snapshot.sockets[i]->side;
	return -1;
}

/* Whether a listener on `local` takes segments for `to`: the same port,
 * and the same host or a wildcard one. */
static bool listener_covers(const struct lab_address *local, const struct lab_address *to)
{
	return lab_address_same_port(local, to)
		&& (lab_address_same_endpoint(local, to) || lab_address_is_wildcard(local));
}

/* The family of the sockets that send or receive at an internet address. */
static int family_of(const struct lab_address *address)
{
	return lab_address_is(address, LAB_ADDRESS_IPV6) ? AF_INET6 : AF_INET;
}

/* Which side's socket sent a segment from `from` to `to` (or, with
 * `receiving`, received it): the socket with that 4-tuple, now or
 * remembered (a closed one in TIME-WAIT still sends ACKs), a v4-mapped
 * socket matching the IPv4 the wire carries. Several sides may hold one
 * socket (after fork()): the side that made the call, if it is one. A
 * datagram socket without a peer by its address. A
 * SYN no connection came of (a full accept queue dropped it) went to
 * the listener of its family (an IPv6 one may refuse IPv4: IPV6_V6ONLY).
 * -1: no socket of the lab, the kernel itself (the RST to a SYN nobody
 * listens for). */
static int side_of_segment(const struct session *session, int event_side,
			   const struct lab_address *from, const struct lab_address *to,
			   bool receiving)
{
	const struct lab_address *local = receiving ? to : from, *peer = receiving ? from : to;
	int found = -1;
	for (size_t i = 0; i < session->snapshot.count; i++) {
		const struct lab_socket *socket = session->snapshot.sockets[i];
		if (socket->side >= 0 && lab_address_same_endpoint(&socket->local, local)
		    && lab_address_same_endpoint(&socket->peer, peer)) {
			if (socket->side == event_side)
				return event_side;
			if (found < 0)
				found = socket->side;
		}
	}
	if (found >= 0)
		return found;
	for (size_t i = tie_remembered_count(session->tie); i-- > 0;) {
		struct tie_remembered m = tie_remembered_at(session->tie, i);
		if (lab_address_same_endpoint(m.local, local)
		    && lab_address_same_endpoint(m.peer, peer))
			return m.side;
	}
	/* A datagram socket with no peer sends and receives on its address alone. */
	for (size_t i = 0; i < session->snapshot.count; i++) {
		const struct lab_socket *socket = session->snapshot.sockets[i];
		if (socket->side >= 0 && socket->type == SOCK_DGRAM
		    && lab_address_is(&socket->peer, LAB_ADDRESS_NONE)
		    && listener_covers(&socket->local, local) && socket->family == family_of(local))
			return socket->side;
	}
	for (size_t i = tie_remembered_count(session->tie); i-- > 0;) {
		struct tie_remembered m = tie_remembered_at(session->tie, i);
		if (m.type == SOCK_DGRAM && lab_address_is(m.peer, LAB_ADDRESS_NONE)
		    && lab_address_same_endpoint(m.local, local))
			return m.side;
	}
	if (!receiving)
		return -1;
	for (size_t i = 0; i < session->snapshot.count; i++) {
		const struct lab_socket *socket = session->snapshot.sockets[i];
		if (socket->side >= 0 && socket->state == TCP_LISTEN
		    && socket->family == family_of(to) && listener_covers(&socket->local, to))
			return socket->side;
	}
	return -1;
}

/* Takes what crossed lo since the last drain and gives it to `event`. */
int wire_drain(struct session *session, struct lab_event *event, char **err)
{
	if (!session->capture)
		return 0;
	if (capture_drain(session->capture, &session->batch, err) < 0)
		return -1;
	if (session->batch.count == 0)
		return 0;
	struct wire_packet *grown =
		realloc(event->packets,
			(event->packet_count + session->batch.count) * sizeof *grown);
	if (!grown)
		return text_error(err, "out of memory");
	event->packets = grown;
	/* EMPTY, equal to no packet's address, when the call had none. */
	const struct lab_address *target = &event->target;
	for (size_t i = 0; i < session->batch.count; i++) {
		const struct lab_packet *in = &session->batch.packets[i];
		struct wire_packet *out = &event->packets[event->packet_count++];
		memset(out, 0, sizeof *out);
		out->from = in->source_address;
		out->to = in->destination_address;
		out->from_side = side_of_segment(session, event->side, &out->from, &out->to, false);
		out->to_side = side_of_segment(session, event->side, &out->from, &out->to, true);
		/* A socket the kernel already dropped (a refused connect) is in no
		 * table: the call's own address argument still says whose it was. */
		if (lab_address_equal(&out->to, target) && out->from_side < 0)
			out->from_side = event->side;
		if (lab_address_equal(&out->from, target) && out->to_side < 0)
			out->to_side = event->side;
		out->protocol = in->protocol;
		if (in->protocol == IPPROTO_TCP)
			out->flags = in->flag_bits;
		out->seq = in->seq;
		out->ack = in->ack;
		out->window = in->window_bytes;
		out->length = in->payload_length;
		text_copy(out->payload, sizeof out->payload, in->payload);
		out->time_us = in->time_us;
	}
	return wire_mark_resets(session, err);
}

/* `wire: hold`: every TCP segment on lo waits in the kernel until a step
 * releases or drops it. Only in the lab's own namespace (never the
 * host's lo, which carries everybody's traffic). */
int wire_open_hold(struct session *session, char **err)
{
	if (!session->lesson->hold_segments)
		return 0;
	char *why = NULL;
	if (session->sandbox->kind != SANDBOX_NETNS) {
		snprintf(
			session->info.held, sizeof session->info.held, "%s",
			_("segments are not held: that needs the lab's private network namespace"));
		return 0;
	}
	if (hold_open(&session->hold, &why) < 0) {
		snprintf(session->info.held, sizeof session->info.held,
			 _("segments are not held: %s"), why ? why : "?");
		free(why);
		session->hold = NULL;
		return 0;
	}
	/* --hold on a lesson written for a free wire: its expectations do not apply. */
	session->info.unchecked = session->lesson->hold_forced;
	(void)err;
	return 0;
}

/* The held segments, as one line for the event. */
/* The held segments into `out`, in English or (`shown`) the interface's language. */
static void describe_held(struct session *session, bool shown, char *out, size_t size)
{
	/* "resent": the sender's retransmission timer fired (after a drop). */
	static const char *const resent_format = N_("%s%s -> %s %s seq %u ack %u len %u resent");
	size_t at = 0;
	out[0] = '\0';
	for (size_t i = 0; session->hold && i < hold_count(session->hold); i++) {
		const struct held_segment *segment = hold_peek(session->hold, i);
		int from = side_of_segment(session, -1, &segment->source_address,
					   &segment->destination_address, false);
		int to = side_of_segment(session, -1, &segment->source_address,
					 &segment->destination_address, true);
		const char *format = !segment->retransmission ? "%s%s -> %s %s seq %u ack %u len %u"
				     : shown                  ? _(resent_format)
								: resent_format;
		if (text_append(out, size, &at, format, at ? "; " : "",
				from >= 0 ? session->info.sides[from] : "?",
				to >= 0 ? session->info.sides[to] : "?", segment->flags,
				segment->seq, segment->ack, segment->payload_length) < 0)
			break;
	}
}

void wire_describe_held(struct session *session, struct lab_event *event)
{
	describe_held(session, false, event->held, sizeof event->held);
	char shown[sizeof event->held];
	describe_held(session, true, shown, sizeof shown);
	lab_event_keep_shown(&event->held_shown, event->held, shown);
}

const char *wire_held_sender(void *context, const struct held_segment *segment)
{
	struct session *session = context;
	int side = wire_side_of_address(session, segment->family, &segment->source_address);
	return side >= 0 ? session->info.sides[side] : NULL;
}

/* The copies of held segments the kernel's timers sent since the last
 * look: said in the event, duplicates of what went through dropped. */
int wire_tidy_resends(struct session *session, struct lab_event *event, char **err)
{
	if (!session->hold)
		return 0;
	char shown[sizeof event->resent];
	text_copy(shown, sizeof shown, lab_event_resent_shown(event));
	if (resend_tidy(&session->resend, session->hold, !session->lesson->hold_forced,
			wire_held_sender, session,
			&(struct resend_said){ event->resent, shown, sizeof shown }, err) < 0)
		return -1;
	lab_event_keep_shown(&event->resent_shown, event->resent, shown);
	return 0;
}

/* The oldest held segment `side` sent, waiting up to 3 s for one: a
 * delayed ACK comes ~40 ms late, a resent SYN after the RTO (~1 s).
 * Copies of segments already let through are dropped first (resend.h). */
int wire_find_held(struct session *session, int side, struct lab_event *event, size_t *index,
		   char **err)
{
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (hold_collect(session->hold, err) < 0
		    || wire_tidy_resends(session, event, err) < 0)
			return -1;
		for (size_t i = 0; i < hold_count(session->hold); i++) {
			const struct held_segment *segment = hold_peek(session->hold, i);
			if (wire_side_of_address(session, segment->family, &segment->source_address)
			    == side) {
				*index = i;
				return 1;
			}
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		long left_ms = 3000
			- ((now.tv_sec - start.tv_sec) * 1000
			   + (now.tv_nsec - start.tv_nsec) / 1000000);
		if (left_ms <= 0 || (session->interrupt && *session->interrupt))
			return 0;
		if (hold_wait(session->hold, (int)left_ms, err) < 0)
			return -1;
	}
}

/* Whether `held` answers `released`: it goes the other way and
 * acknowledges all of it, or resets the connection. */
static bool answers(const struct held_segment *held, const struct held_segment *released)
{
	if (!held->decoded
	    || !lab_address_same_endpoint(&held->source_address, &released->destination_address)
	    || !lab_address_same_endpoint(&held->destination_address, &released->source_address))
		return false;
	uint32_t end = released->raw_seq + released->payload_length
		       + ((released->flag_bits & PACKET_FLAG_FIN) != 0);
	return (held->flag_bits & PACKET_FLAG_RST)
	       || ((held->flag_bits & PACKET_FLAG_ACK) && (int32_t)(held->raw_ack - end) >= 0);
}

int wire_await_answer(struct session *session, const struct held_segment *released, char **err)
{
	if (!released->decoded || (released->flag_bits & (PACKET_FLAG_SYN | PACKET_FLAG_RST))
	    || (released->payload_length == 0 && !(released->flag_bits & PACKET_FLAG_FIN)))
		return 0;
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (hold_collect(session->hold, err) < 0)
			return -1;
		for (size_t i = 0; i < hold_count(session->hold); i++)
			if (answers(hold_peek(session->hold, i), released))
				return 1;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long waited_ms = (now.tv_sec - start.tv_sec) * 1000
				 + (now.tv_nsec - start.tv_nsec) / 1000000;
		long left_ms = WIRE_ANSWER_LIMIT_MS - waited_ms;
		if (left_ms <= 0 || (session->interrupt && *session->interrupt))
			return 0;
		if (hold_wait(session->hold, (int)left_ms, err) < 0)
			return -1;
	}
}

int session_capture(struct session *session, const char *pcap_path, char **err)
{
	session->capturing = true;
	if (pcap_path && !session->pcap && capture_file_open(&session->pcap, pcap_path, err) < 0)
		return -1;
	if (!session->capture)
		return wire_open_capture(session, err);
	return session->pcap ? capture_set_file(session->capture, session->pcap, err) : 0;
}
