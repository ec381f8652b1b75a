/* model — naming the model's values, and freeing an event (model.h). */
#include "model.h"

#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "i18n.h"
#include "probe.h"
#include "text.h"

static const char *const note_texts[NOTE_COUNT] = {
	[NOTE_NONE] = "",
	[NOTE_UNBOUND] = N_("no address yet"),
	[NOTE_BOUND_ONLY] = N_("bound only: not listening, not connected"),
	[NOTE_ACCEPT_QUEUE] = N_("in accept queue, no fd"),
	[NOTE_HANDSHAKE] = N_("handshake not done, no fd"),
	[NOTE_CLOSED] = N_("fd closed, kernel finishing"),
	[NOTE_KERNEL_COPY] = N_("kernel's copy; fd still open"),
	[NOTE_DROPPED] = N_("closed: gone from the kernel's tables"),
	[NOTE_RESET] = N_("in no kernel table: reset"),
	[NOTE_UNKNOWN] = N_("not the lab's?"),
	[NOTE_UNREAD] = N_("not TCP, UDP or Unix: not read"),
};

static const char *const event_kind_names[EVENT_KIND_COUNT] = {
	[EVENT_RETURNED] = "returned",
	[EVENT_BLOCKED] = "blocked",
	[EVENT_WOKE] = "woke",
	[EVENT_NOT_RUN] = "not run",
	[EVENT_SKIPPED] = "skipped",
};

const char *lab_socket_state_text(const struct lab_socket *socket)
{
	if (socket->state == 0)
		return "-";
	/* sock_diag reuses TCP's numbers for every kind: CLOSE means "not
	 * connected" to a datagram or Unix socket. */
	if (socket->state == TCP_CLOSE && (socket->family == AF_UNIX || socket->type == SOCK_DGRAM))
		return "UNCONN";
	return probe_state_name(socket->state, socket->type);
}

const char *lab_note_text(enum socket_note note)
{
	return note < NOTE_COUNT ? note_texts[note] : "";
}

const char *lab_note_shown(enum socket_note note)
{
	/* gettext("") is the catalogue's header: no note stays "". */
	const char *text = lab_note_text(note);
	return text[0] ? _(text) : text;
}

const char *lab_event_aside_text(const struct lab_event *event, char *out, size_t size)
{
	switch (event->aside) {
	case ASIDE_PAIR:
		snprintf(out, size,
			 _("fds %d and %d are the two ends of one connection: what one sends, the "
			   "other receives"),
			 event->aside_fds[0], event->aside_fds[1]);
		break;
	case ASIDE_CHILD_COPIES:
		text_copy(out, size,
			  _("the child holds a copy of each of its parent's fds: every socket now "
			    "has two holders"));
		break;
	case ASIDE_STILL_HELD:
		text_copy(out, size,
			  _("the other process still holds it: no FIN, the connection stays open"));
		break;
	case ASIDE_NONE:
	default:
		text_copy(out, size, "");
		break;
	}
	return out;
}

const char *lab_event_held_shown(const struct lab_event *event)
{
	return event->held_shown ? event->held_shown : event->held;
}

const char *lab_event_resent_shown(const struct lab_event *event)
{
	return event->resent_shown ? event->resent_shown : event->resent;
}

void lab_event_keep_shown(char **shown, const char *english, const char *text)
{
	free(*shown);
	*shown = strcmp(english, text) != 0 ? strdup(text) : NULL;
}

const char *lab_event_kind_name(enum event_kind kind)
{
	return kind < EVENT_KIND_COUNT ? event_kind_names[kind] : "?";
}

int lab_event_kind_value(const char *name)
{
	for (int i = 0; i < EVENT_KIND_COUNT; i++)
		if (strcmp(event_kind_names[i], name) == 0)
			return i;
	return -1;
}

const char *lab_timer_name(unsigned timer)
{
	/* idiag_timer's values, as inet_diag fills them. */
	static const char *const names[] = { "", N_("retransmit"), N_("keepalive"), "TIME-WAIT",
					     N_("zero-window probe") };
	return timer < sizeof names / sizeof names[0] ? names[timer] : "?";
}

const char *lab_timer_shown(unsigned timer)
{
	const char *name = lab_timer_name(timer);
	return name[0] ? _(name) : name;   /* gettext("") is the catalogue's header */
}

const char *lab_event_wire_silence(const struct lab_event *event)
{
	/* Only the calls that send a segment on TCP: connect, send, shutdown. */
	static const enum call_id sending[] = { CALL_CONNECT, CALL_SEND, CALL_SENDALL, CALL_SENDTO,
						CALL_SHUTDOWN };
	bool sends = false;
	for (size_t i = 0; i < sizeof sending / sizeof sending[0]; i++)
		sends |= event->call == sending[i];
	if (event->packet_count || !sends || event->kind != EVENT_RETURNED)
		return NULL;
	int fd = event->fd_argument;
	for (size_t i = 0; fd >= 0 && i < event->snapshot.count; i++) {
		const struct lab_socket *socket = event->snapshot.sockets[i];
		if (socket->side == event->side && socket->fd == fd)
			return socket->family == AF_UNIX
				? N_("no packets: a unix socket's bytes stay inside the kernel")
				: NULL;
	}
	return NULL;
}

/* A list of sentences and their shown forms beside it (failures, timers
 * ended): the shown array may be NULL, and any of its entries. */
static void free_sentences(char **texts, char **shown, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		free(texts[i]);
		if (shown)
			free(shown[i]);
	}
	free(texts);
	free(shown);
}

static const char *sentence_shown(char *const *texts, char *const *shown, size_t i)
{
	return shown && shown[i] ? shown[i] : texts[i];
}

void lab_event_done(struct lab_event *event)
{
	free(event->text);
	free(event->bytes);
	free_sentences(event->failures, event->failures_shown, event->failure_count);
	free_sentences(event->timers_ended, event->timers_ended_shown, event->timer_ended_count);
	free(event->packets);
	free(event->ready);
	free(event->held_shown);
	free(event->resent_shown);
	lab_snapshot_done(&event->snapshot);
	memset(event, 0, sizeof *event);
}

const char *lab_event_timer_ended_shown(const struct lab_event *event, size_t i)
{
	return sentence_shown(event->timers_ended, event->timers_ended_shown, i);
}

const char *lab_event_failure_shown(const struct lab_event *event, size_t i)
{
	return sentence_shown(event->failures, event->failures_shown, i);
}
