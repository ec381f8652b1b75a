/* diagram — the sequence diagram's model: lifelines and rows from events. */
#include "diagram.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "packet_flags.h"
#include "text.h"

enum { PAYLOAD_SHOWN = 24 };   /* bytes of a received payload a result quotes */

void diagram_result_text(const struct lab_event *event, char *out, size_t size)
{
	const struct call_def *def = event->call < CALL_COUNT ? &catalog_calls[event->call] : NULL;
	/* A woken call says so: its box stands where the kernel woke it, not where it was made. */
	if (event->kind == EVENT_WOKE && size > 6) {
		struct lab_event returned = *event;
		returned.kind = EVENT_RETURNED;
		memcpy(out, "woke: ", 6);
		diagram_result_text(&returned, out + 6, size - 6);
		return;
	}
	static const char *const kind_words[EVENT_KIND_COUNT] = {
		[EVENT_BLOCKED] = "blocks",
		[EVENT_NOT_RUN] = "not run: the side is blocked",
		[EVENT_SKIPPED] = "skipped: needs a private network namespace",
	};
	if (event->kind < EVENT_KIND_COUNT && kind_words[event->kind]) {
		snprintf(out, size, "%s", kind_words[event->kind]);
	} else if (event->ret == -1 && event->error) {
		const char *name = catalog_errno_name(event->error);
		if (name)
			snprintf(out, size, "-1 %s", name);
		else
			snprintf(out, size, "-1 errno %d", event->error);
	} else if (def && def->wire && event->ret == 0) {
		snprintf(out, size, "%s", def->id == CALL_RELEASE ? "released" : "dropped");
	} else if (def && def->result == RESULT_RECEIVED && event->ret == 0
		   && def->id == CALL_RECV) {
		snprintf(out, size, "= 0, peer closed");
	} else if (def && def->result == RESULT_RECEIVED && event->bytes) {
		char escaped[PAYLOAD_SHOWN + 8];
		text_escape(event->bytes, event->bytes_len, escaped, sizeof escaped);
		snprintf(out, size, "= %ld \"%s\"", event->ret, escaped);
	} else if (def && def->result == RESULT_MESSAGES) {
		snprintf(out, size, "= %ld message%s, %ld byte%s", event->ret,
			 event->ret == 1 ? "" : "s", event->value, event->value == 1 ? "" : "s");
	} else if (event->has_value) {
		snprintf(out, size, "= %ld, value %ld", event->ret, event->value);
	} else if (def && def->id == CALL_ACCEPT
		   && !lab_address_is(&event->address, LAB_ADDRESS_EMPTY)) {
		snprintf(out, size, "= %ld, peer %s", event->ret,
			 lab_address_shown(&event->address).text);
	} else {
		snprintf(out, size, "= %ld", event->ret);
	}
}

void diagram_packet_label(const struct wire_packet *packet, char *out, size_t size)
{
	bool udp = packet->protocol == IPPROTO_UDP;
	bool tcp = packet->protocol == IPPROTO_TCP;
	char flags[PACKET_FLAGS_TEXT_MAX];
	packet_flags_text(packet->protocol, packet->flags, flags, sizeof flags);
	size_t length = (size_t)snprintf(out, size, "%s", tcp ? flags : udp ? "UDP" : "packet");
	if (length < size && tcp) {
		length += (size_t)snprintf(out + length, size - length, " seq %u", packet->seq);
		if (length < size && (packet->flags & PACKET_FLAG_ACK))
			length += (size_t)snprintf(out + length, size - length, " ack %u",
						   packet->ack);
	}
	if (length < size && (packet->length || udp))
		snprintf(out + length, size - length, " len %u", packet->length);
}

int diagram_lane_of(const struct diagram *diagram, int side)
{
	for (int lane = 0; lane < diagram->lifeline_count; lane++)
		if (diagram->lifelines[lane].side == side)
			return lane;
	return -1;
}

void diagram_done(struct diagram *diagram)
{
	for (size_t i = 0; diagram->rows && i < diagram->count; i++)
		free(diagram->rows[i].notes);
	free(diagram->rows);
	diagram->rows = NULL;
	diagram->count = 0;
	diagram->lifeline_count = 0;
	diagram->step_count = 0;
}

static bool side_known(const struct run_info *info, int side)
{
	return side >= 0 && side < info->side_count && side < LESSON_MAX_SIDES;
}

/* A lifeline for every side something happened on, in side order. */
static void choose_lifelines(struct diagram *diagram, const struct run_info *info,
			     const struct lab_event *events, size_t count)
{
	bool used[LESSON_MAX_SIDES] = { false };
	for (size_t i = 0; i < count; i++) {
		const struct lab_event *event = &events[i];
		if (side_known(info, event->side))
			used[event->side] = true;
		for (size_t k = 0; k < event->packet_count; k++) {
			if (side_known(info, event->packets[k].from_side))
				used[event->packets[k].from_side] = true;
			if (side_known(info, event->packets[k].to_side))
				used[event->packets[k].to_side] = true;
		}
		for (size_t k = 0; k < event->snapshot.count; k++)
			if (side_known(info, event->snapshot.sockets[k]->side))
				used[event->snapshot.sockets[k]->side] = true;
	}
	diagram->lifeline_count = 0;
	for (int side = 0; side < info->side_count && side < LESSON_MAX_SIDES; side++)
		if (used[side]) {
			struct diagram_lifeline *line =
				&diagram->lifelines[diagram->lifeline_count++];
			line->side = side;
			text_copy(line->name, sizeof line->name, info->sides[side]);
		}
}

/* How the diagram names a socket: its name, else what it is waiting as. */
static const char *socket_label(const struct lab_socket *socket)
{
	if (socket->name[0])
		return socket->name;
	if (socket->note == NOTE_ACCEPT_QUEUE)
		return "(accept queue)";
	if (socket->note == NOTE_HANDSHAKE)
		return "(handshake)";
	return "(no fd)";
}

/* Whether the event changed what the diagram says of the socket: a new
 * socket, a new state, an fd taken or closed, a listener's accept queue. */
static bool socket_note_due(const struct lab_socket *socket)
{
	const char *state = lab_socket_state_text(socket);
	return (socket->changes & (CHANGE_NEW | CHANGE_STATE | CHANGE_FD))
	       || ((socket->changes & CHANGE_QUEUE) && strcmp(state, "LISTEN") == 0);
}

static void socket_note_text(const struct lab_socket *socket, char *out, size_t size)
{
	const char *state = lab_socket_state_text(socket);
	size_t length;
	if (strcmp(state, "-") == 0)
		length =
			(size_t)snprintf(out, size, "%s new, no address yet", socket_label(socket));
	else
		length = (size_t)snprintf(out, size, "%s %s", socket_label(socket), state);
	if (length >= size)
		return;
	/* A listener's queues are its accept queue and its backlog (sock_diag's rq and wq). */
	if (strcmp(state, "LISTEN") == 0)
		snprintf(out + length, size - length, ", accept queue %u of %u", socket->recv_queue,
			 socket->send_queue);
	else if (socket->note == NOTE_ACCEPT_QUEUE && socket->name[0])
		snprintf(out + length, size - length, ", in the accept queue");
	else if (socket->note == NOTE_CLOSED && (socket->changes & CHANGE_FD))
		snprintf(out + length, size - length, ", fd closed");
}

static bool named_in(const struct lab_snapshot *snapshot, int side, const char *name)
{
	for (size_t i = 0; i < snapshot->count; i++)
		if (snapshot->sockets[i]->side == side
		    && strcmp(snapshot->sockets[i]->name, name) == 0)
			return true;
	return false;
}

static int add_note(struct diagram_row *row, size_t *capacity, int lane, const char *text,
		    bool gone)
{
	if (row->note_count == *capacity) {
		size_t grown_capacity = *capacity ? *capacity * 2 : 4;
		struct diagram_note *grown = realloc(row->notes, grown_capacity * sizeof *grown);
		if (!grown)
			return -1;
		row->notes = grown;
		*capacity = grown_capacity;
	}
	struct diagram_note *note = &row->notes[row->note_count++];
	note->lane = lane;
	note->gone = gone;
	text_copy(note->text, sizeof note->text, text);
	return 0;
}

/* The STATES row of an event: every socket it changed, and every named
 * socket of `before` the kernel no longer lists. Sockets the lab could not
 * place go on the first lifeline. */
static int fill_states(struct diagram *diagram, struct diagram_row *row,
		       const struct lab_snapshot *before, const struct lab_snapshot *after)
{
	size_t capacity = 0;
	char text[DIAGRAM_TEXT_MAX];
	for (size_t i = 0; i < after->count; i++) {
		const struct lab_socket *socket = after->sockets[i];
		if (!socket_note_due(socket))
			continue;
		int lane = diagram_lane_of(diagram, socket->side);
		socket_note_text(socket, text, sizeof text);
		if (add_note(row, &capacity, lane >= 0 ? lane : 0, text, false) < 0)
			return -1;
	}
	for (size_t i = 0; before && i < before->count; i++) {
		const struct lab_socket *socket = before->sockets[i];
		int lane = diagram_lane_of(diagram, socket->side);
		if (!socket->name[0] || lane < 0 || named_in(after, socket->side, socket->name))
			continue;
		snprintf(text, sizeof text, "%s gone", socket->name);
		if (add_note(row, &capacity, lane, text, true) < 0)
			return -1;
	}
	return 0;
}

static bool event_failed(const struct lab_event *event)
{
	return (event->ret == -1 && event->error) || event->failure_count > 0;
}

int diagram_build(struct diagram *diagram, const struct run_info *info,
		  const struct lab_event *events, size_t count)
{
	memset(diagram, 0, sizeof *diagram);
	text_copy(diagram->lesson, sizeof diagram->lesson, info->lesson);
	text_copy(diagram->title, sizeof diagram->title, info->title);
	choose_lifelines(diagram, info, events, count);
	/* A call, its packets and its states, at most, per event. */
	size_t need = 0;
	for (size_t i = 0; i < count; i++)
		need += 2 + events[i].packet_count;
	diagram->rows = calloc(need ? need : 1, sizeof *diagram->rows);
	if (!diagram->rows)
		return -1;
	size_t blocked_row[LESSON_MAX_SIDES];
	bool blocked[LESSON_MAX_SIDES] = { false };
	size_t last_step = 0;
	const struct lab_snapshot *before = NULL;
	for (size_t i = 0; i < count; i++) {
		const struct lab_event *event = &events[i];
		bool first = last_step != event->step;
		last_step = event->step;
		struct diagram_row *call = &diagram->rows[diagram->count++];
		*call = (struct diagram_row){
			.kind = DIAGRAM_CALL,
			.step = event->step,
			.step_start = first,
			.event = event,
			.lane = diagram_lane_of(diagram, event->side),
			.call = event->text ? event->text
				: event->call < CALL_COUNT ? catalog_calls[event->call].name
							   : "?",
			.failed = event_failed(event),
			.from_lane = -1,
			.to_lane = -1,
		};
		diagram_result_text(event, call->result, sizeof call->result);
		bool placed = side_known(info, event->side);
		if (placed && event->kind == EVENT_WOKE && blocked[event->side]) {
			diagram->rows[blocked_row[event->side]].wake_row =
				(size_t)(call - diagram->rows);
			blocked[event->side] = false;
		}
		if (placed && event->kind == EVENT_BLOCKED) {
			blocked[event->side] = true;
			blocked_row[event->side] = (size_t)(call - diagram->rows);
		}
		for (size_t k = 0; k < event->packet_count; k++) {
			struct diagram_row *packet = &diagram->rows[diagram->count++];
			*packet = (struct diagram_row){
				.kind = DIAGRAM_PACKET,
				.step = event->step,
				.event = event,
				.lane = -1,
				.from_lane = diagram_lane_of(diagram, event->packets[k].from_side),
				.to_lane = diagram_lane_of(diagram, event->packets[k].to_side),
			};
			diagram_packet_label(&event->packets[k], packet->label,
					     sizeof packet->label);
		}
		struct diagram_row *states = &diagram->rows[diagram->count];
		*states = (struct diagram_row){ .kind = DIAGRAM_STATES, .step = event->step,
						.event = event, .lane = -1, .from_lane = -1,
						.to_lane = -1 };
		if (fill_states(diagram, states, before, &event->snapshot) < 0) {
			free(states->notes);
			diagram_done(diagram);
			return -1;
		}
		if (states->note_count)
			diagram->count++;
		before = &event->snapshot;
		diagram->step_count = event->step;
	}
	/* A call still asleep at the end: its bar runs to the end. */
	for (int side = 0; side < LESSON_MAX_SIDES; side++)
		if (blocked[side])
			diagram->rows[blocked_row[side]].wake_row = diagram->count;
	return 0;
}
