/* ladder — the ladder diagram's model: lanes and rows from the session's log. */
#include "ladder.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packet_flags.h"

void ladder_init(struct ladder *ladder)
{
	memset(ladder, 0, sizeof *ladder);
}

void ladder_done(struct ladder *ladder)
{
	free(ladder->rows);
	ladder_init(ladder);
}

static bool side_valid(const struct lesson_view *view, int side)
{
	return side >= 0 && side < view->side_count && side < LESSON_MAX_SIDES;
}

/* A lane for every side a packet on screen came from or went to; side 0
 * and the right pane's side while fewer than two talk. */
static void choose_lanes(struct ladder *ladder, const struct lesson_view *view,
			 const struct lab_event *events, size_t count, int right_side)
{
	bool talks[LESSON_MAX_SIDES] = { false };
	int talking = 0;
	for (size_t i = 0; i < count; i++) {
		if (!view_event_shown(view, &events[i]))
			continue;
		for (size_t k = 0; k < events[i].packet_count; k++) {
			const struct wire_packet *packet = &events[i].packets[k];
			int ends[2] = { packet->from_side, packet->to_side };
			for (int e = 0; e < 2; e++)
				if (side_valid(view, ends[e]) && !talks[ends[e]]) {
					talks[ends[e]] = true;
					talking++;
				}
		}
	}
	if (talking < 2) {
		if (side_valid(view, 0))
			talks[0] = true;
		if (side_valid(view, right_side))
			talks[right_side] = true;
	}
	ladder->lane_count = 0;
	for (int side = 0; side < view->side_count && side < LESSON_MAX_SIDES; side++)
		if (talks[side])
			ladder->lane_sides[ladder->lane_count++] = side;
}

static int lane_of(const struct ladder *ladder, int side)
{
	for (int lane = 0; lane < ladder->lane_count; lane++)
		if (ladder->lane_sides[lane] == side)
			return lane;
	return -1;
}

static int reserve(struct ladder *ladder, size_t rows)
{
	if (rows <= ladder->capacity)
		return 0;
	struct ladder_row *grown = realloc(ladder->rows, rows * sizeof *grown);
	if (!grown)
		return -1;
	ladder->rows = grown;
	ladder->capacity = rows;
	return 0;
}

int ladder_build(struct ladder *ladder, const struct lesson_view *view,
		 const struct session *session, int right_side)
{
	size_t count;
	const struct lab_event *events = session_events(session, &count);
	ladder->count = 0;
	ladder->current = 0;
	ladder->packet_count = 0;
	choose_lanes(ladder, view, events, count, right_side);

	/* A heading per step and a row per packet, at most. */
	size_t need = 0;
	for (size_t i = 0; i < count; i++)
		need += 1 + events[i].packet_count;
	if (reserve(ladder, need ? need : 1) < 0) {
		ladder->lane_count = 0;
		return -1;
	}
	struct ladder_row *heading = NULL;
	const struct lab_snapshot *before = NULL;
	for (size_t i = 0; i < count; i++) {
		const struct lab_event *event = &events[i];
		if (!view_event_shown(view, event))
			continue;
		if (!heading || heading->step != event->step) {
			if (heading)
				before = heading->snapshot;
			heading = &ladder->rows[ladder->count++];
			*heading = (struct ladder_row){ .kind = LADDER_STEP, .step = event->step,
							.event = event, .before = before,
							.from_lane = -1, .to_lane = -1 };
			if (event->step == view->step)
				ladder->current = (size_t)(heading - ladder->rows);
		}
		/* The heading's states: after the last event of the step shown
		 * (a woken call's, in the step's second half). */
		heading->snapshot = &event->snapshot;
		for (size_t k = 0; k < event->packet_count; k++) {
			const struct wire_packet *packet = &event->packets[k];
			ladder->rows[ladder->count++] = (struct ladder_row){
				.kind = LADDER_PACKET,
				.step = event->step,
				.event = event,
				.packet = packet,
				.from_lane = lane_of(ladder, packet->from_side),
				.to_lane = lane_of(ladder, packet->to_side),
			};
			ladder->packet_count++;
		}
	}
	if (!heading || heading->step != view->step)
		ladder->current = ladder->count;
	return 0;
}

/* Who made the call: the process ("server/child3") when the side has
 * several, as the transcript says it; else the side. */
static const char *caller_name(const struct run_info *info, const struct lab_event *event)
{
	if (event->who[0])
		return event->who;
	return event->side >= 0 && event->side < info->side_count ? info->sides[event->side] : "?";
}

void ladder_heading_text(const struct lesson_view *view, const struct ladder_row *row, char *out,
			 size_t size)
{
	const struct lab_event *event = row->event;
	int digits = snprintf(NULL, 0, "%zu", view->step_count);
	snprintf(out, size, "%s%*zu %s: %s", row->step == view->step ? ">" : " ", digits, row->step,
		 caller_name(view->info, event), event->text ? event->text : "?");
}

static size_t sockets_in_state(const struct lab_snapshot *snapshot, size_t end, int side,
			       const char *state)
{
	size_t count = 0;
	for (size_t i = 0; snapshot && i < end && i < snapshot->count; i++)
		if (snapshot->sockets[i]->side == side
		    && strcmp(lab_socket_state_text(snapshot->sockets[i]), state) == 0)
			count++;
	return count;
}

bool ladder_state_entered(const struct lab_snapshot *before, const struct lab_snapshot *after,
			  size_t index)
{
	const struct lab_socket *socket = after->sockets[index];
	const char *state = lab_socket_state_text(socket);
	size_t now = sockets_in_state(after, index + 1, socket->side, state);
	return now > sockets_in_state(before, before ? before->count : 0, socket->side, state);
}

void ladder_packet_label(const struct wire_packet *packet, enum ladder_label detail, char *out,
			 size_t size)
{
	bool udp = packet->protocol == IPPROTO_UDP;
	bool tcp = packet->protocol == IPPROTO_TCP;
	char flags[PACKET_FLAGS_TEXT_MAX];
	packet_flags_text(packet->protocol, packet->flags, flags, sizeof flags);
	size_t length = (size_t)snprintf(out, size, "%s", tcp ? flags : udp ? "UDP" : "?");
	if (length < size && tcp && detail >= LABEL_NUMBERS) {
		length += (size_t)snprintf(out + length, size - length, " seq %u", packet->seq);
		if (length < size && (packet->flags & PACKET_FLAG_ACK))
			length += (size_t)snprintf(out + length, size - length, " ack %u",
						   packet->ack);
	}
	if (length < size && (packet->length || udp))
		length += (size_t)snprintf(out + length, size - length, " len %u", packet->length);
	if (length < size && detail >= LABEL_PAYLOAD && packet->length)
		snprintf(out + length, size - length, " \"%s\"", packet->payload);
}
