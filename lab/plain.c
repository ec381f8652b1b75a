/* plain — the transcript: each call, its result, both ends' sockets. */
#include "plain.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "evidence.h"
#include "packet_flags.h"
#include "queues.h"
#include "readiness.h"
#include "sandbox.h"
#include "wrap.h"
#include "i18n.h"

void plain_print_info(FILE *out, const struct run_info *info)
{
	/* Free play's title is the lab's own words (play.c), a lesson's its file's. */
	bool play = strcmp(info->lesson, "play") == 0 && info->title[0];
	fprintf(out, "socklab %s: %s\n", info->lesson, play ? _(info->title) : info->title);
	char sandbox[sizeof info->sandbox + 64];
	sandbox_description_shown(info->sandbox, sandbox, sizeof sandbox);
	fprintf(out, _("sandbox: %s\n"), sandbox);
	if (info->wire[0])
		fprintf(out, _("wire: %s\n"), info->wire);
	if (info->held[0])
		fprintf(out, _("held: %s\n"), info->held);
	else if (info->unchecked)
		fprintf(out, "%s",
			_("held: every TCP segment, released one at a time after each step "
			  "(--hold); the lesson's expectations assume a free wire and are not "
			  "checked\n"));
	for (int i = 0; i < info->port_map_count; i++)
		fprintf(out, _("port: the lesson's %u is %u on this host\n"),
			info->port_map[i].from, info->port_map[i].to);
}

char *plain_format_result(const struct lab_event *event, char *out, size_t size)
{
	char escaped[200];
	const struct call_def *def = &catalog_calls[event->call];
	if (event->kind == EVENT_BLOCKED) {
		snprintf(out, size, "%s", _("blocked"));
	} else if (event->kind == EVENT_NOT_RUN) {
		snprintf(out, size, "%s", _("not run"));
	} else if (event->kind == EVENT_SKIPPED) {
		snprintf(out, size, "%s", _("skipped: needs a private network namespace"));
	} else if (def->wire && event->ret == 0) {
		snprintf(out, size, "%s", def->id == CALL_RELEASE ? _("released") : _("dropped"));
	} else if (event->ret == -1 && event->error) {
		const char *name = catalog_errno_name(event->error);
		snprintf(out, size, "-1 %s (%s)", name ? name : "?", strerror(event->error));
	} else if (def->result == RESULT_RECEIVED) {
		text_escape(event->bytes, event->bytes_len, escaped, sizeof escaped);
		/* A count and no bytes: the call's text shows them decoded (netlink). */
		bool decoded = event->ret > 0 && event->bytes_len == 0;
		if (event->ret == 0 && def->id == CALL_RECV)
			snprintf(out, size, "%s", _("0 (the peer closed)"));
		else if (decoded && !lab_address_is(&event->address, LAB_ADDRESS_EMPTY))
			snprintf(out, size, _("%ld bytes from %s (the messages, in the call)"),
				 event->ret, lab_address_shown(&event->address).text);
		else if (decoded)
			snprintf(out, size, _("%ld bytes (the messages, in the call)"), event->ret);
		else if (!lab_address_is(&event->address, LAB_ADDRESS_EMPTY))
			snprintf(out, size, _("%ld \"%s\" from %s"), event->ret, escaped,
				 lab_address_shown(&event->address).text);
		else
			snprintf(out, size, "%ld \"%s\"", event->ret, escaped);
	} else if (def->result == RESULT_MESSAGES) {
		char bytes[64];
		snprintf(bytes, sizeof bytes,
			 ngettext("%ld byte", "%ld bytes", (unsigned long)event->value),
			 event->value);
		snprintf(out, size,
			 ngettext("%ld message, %s", "%ld messages, %s", (unsigned long)event->ret),
			 event->ret, bytes);
	} else if (!lab_address_is(&event->address, LAB_ADDRESS_EMPTY)) {
		snprintf(out, size,
			 def->id == CALL_ACCEPT ? _("%ld, peer %s") : _("%ld, address %s"),
			 event->ret, lab_address_shown(&event->address).text);
	} else if (event->has_value) {
		snprintf(out, size, _("%ld, value %ld"), event->ret, event->value);
	} else if (event->ready_count) {
		int written = snprintf(out, size, _("%ld, ready: "), event->ret);
		size_t at = written > 0 ? (size_t)written : 0;
		if (at < size)
			at += readiness_text(event->ready, event->ready_count, out + at, size - at);
		if (at >= size && size >= 4)   /* a list cut to the room says so */
			memcpy(out + size - 4, "...", 4);
	} else {
		snprintf(out, size, "%ld", event->ret);
	}
	return out;
}

const char *plain_state_text(const struct lab_socket *socket)
{
	return lab_socket_state_text(socket);
}

static const char *side_name(const struct run_info *info, int side)
{
	return side >= 0 && side < info->side_count ? info->sides[side] : "?";
}

static void print_socket(FILE *out, const struct run_info *info, const struct lab_socket *socket)
{
	char who[32], note[192];
	if (socket->fd >= 0)
		snprintf(who, sizeof who, "%s%s%d", socket->name, socket->name[0] ? "=" : "",
			 socket->fd);
	else
		snprintf(who, sizeof who, "%s%s--", socket->name, socket->name[0] ? "=" : "");
	/* The queues as ss shows them, said where they are not plain bytes of
	 * data (a listener's, a FIN counted as 1, memory); a listener's say
	 * nothing else. */
	const char *queues = queues_note(socket);
	const char *kept = socket->state == TCP_LISTEN ? "" : lab_note_shown(socket->note);
	snprintf(note, sizeof note, "%s%s%s", kept, kept[0] && queues ? "; " : "",
		 queues ? queues : "");
	fprintf(out, "  %c %-7s %-8s %-24s %-24s %-12s %5u %5u  %s\n", socket->changes ? '*' : ' ',
		side_name(info, socket->side), who, lab_address_shown(&socket->local).text,
		lab_address_shown(&socket->peer).text, plain_state_text(socket), socket->recv_queue,
		socket->send_queue, note);
}

static void print_packets(FILE *out, const struct run_info *info, const struct lab_event *event)
{
	for (size_t i = 0; i < event->packet_count; i++) {
		const struct wire_packet *packet = &event->packets[i];
		char direction[48];
		/* No side: no socket of the lab at that address, so the kernel itself
		 * answered (the RST to a SYN nobody listens for). */
		snprintf(direction, sizeof direction, "%s -> %s",
			 packet->from_side >= 0 ? side_name(info, packet->from_side) : _("kernel"),
			 packet->to_side >= 0 ? side_name(info, packet->to_side) : _("kernel"));
		char flags[PACKET_FLAGS_TEXT_MAX];
		packet_flags_text(packet->protocol, packet->flags, flags, sizeof flags);
		if (packet->protocol == IPPROTO_TCP)
			fprintf(out, "  %s  %-18s %-12s seq %u ack %u len %u%s%s%s\n", _("wire"),
				direction, flags, packet->seq, packet->ack, packet->length,
				packet->length ? " \"" : "", packet->payload,
				packet->length ? "\"" : "");
		else
			fprintf(out, "  %s  %-18s %-12s len %u \"%s\"\n", _("wire"), direction,
				"UDP", packet->length, packet->payload);
	}
}

/* `text` and a space, padded to `width` display columns (on the left when
 * `right`), as printf's %-*s and %*s do for ASCII. */
static void print_column(FILE *out, const char *text, int width, bool right)
{
	int pad = width - wrap_columns(text, strlen(text));
	if (right)
		fprintf(out, "%*s%s ", pad > 0 ? pad : 0, "", text);
	else
		fprintf(out, "%s%*s ", text, pad > 0 ? pad : 0, "");
}

static void print_sockets(FILE *out, const struct run_info *info,
			  const struct lab_snapshot *snapshot)
{
	if (snapshot->count) {
		/* The rows' columns, counted on screen: a translated word is wider
		 * than its bytes. */
		fputs("    ", out);
		print_column(out, _("side"), 7, false);
		print_column(out, _("fd"), 8, false);
		print_column(out, _("local"), 24, false);
		print_column(out, _("peer"), 24, false);
		print_column(out, _("state"), 12, false);
		print_column(out, _("recv-q"), 5, true);
		print_column(out, _("send-q"), 5, true);
		fprintf(out, " %s\n", _("note"));
	}
	for (size_t i = 0; i < snapshot->count; i++)
		print_socket(out, info, snapshot->sockets[i]);
}

void plain_print_step(FILE *out, const struct run_info *info, const struct lab_event *events,
		      size_t count)
{
	plain_print_step_in(out, info, events, 0, count);
}

void plain_print_step_in(FILE *out, const struct run_info *info, const struct lab_event *log,
			 size_t first, size_t count)
{
	const struct lab_event *events = log + first;
	if (count == 0)
		return;
	/* A program side of several processes names the one that called. */
	/* "step N/M" and "... blocked" stay English in every language: --terse diffs them. */
	fprintf(out, "\nstep %zu/%zu  %s: %s\n", events[0].step, info->step_count,
		events[0].who[0] ? events[0].who : side_name(info, events[0].side), events[0].text);
	for (size_t i = 0; i < count; i++) {
		const struct lab_event *event = &events[i];
		/* Room for every fd of a ready list: the transcript says them all. */
		char fixed[320];
		size_t size = sizeof fixed;
		size += readiness_text(event->ready, event->ready_count, NULL, 0);
		char *grown = size > sizeof fixed ? malloc(size) : NULL;
		char *result = grown ? grown : fixed;
		plain_format_result(event, result, grown ? size : sizeof fixed);
		/* --hold: released after the call */
		bool let_go = i > 0 && catalog_calls[event->call].wire;
		if (let_go)
			fprintf(out, _("  then %s (the oldest held segment)\n"), event->text);
		else if (event->kind == EVENT_WOKE)
			fprintf(out, _("  then the kernel woke %s: %s = %s\n"),
				event->who[0] ? event->who : side_name(info, event->side),
				event->text, result);
		else if (event->kind == EVENT_BLOCKED)
			fprintf(out, "  ... blocked in the kernel\n");
		else if (event->kind == EVENT_NOT_RUN)
			fprintf(out, "%s", _("  not run\n"));
		else if (event->kind == EVENT_SKIPPED)
			fprintf(out, "%s",
				_("  skipped: this step needs a private network namespace, and "
				  "this run is on the host\n"));
		else if (event->side != events[0].side)   /* fork()'s child answers too */
			fprintf(out, "  %s: = %s\n", side_name(info, event->side), result);
		else
			fprintf(out, "  = %s\n", result);
		free(grown);
		char aside[256];
		if (event->aside != ASIDE_NONE)
			fprintf(out, _("  note: %s\n"),
				lab_event_aside_text(event, aside, sizeof aside));
		char why[400];
		if (evidence_explain(info, log, first + i, why, sizeof why))
			fprintf(out, _("  why: %s\n"), why);
		print_packets(out, info, event);
		const char *silence = info->wire[0] ? NULL : lab_event_wire_silence(event);
		if (silence)
			fprintf(out, "  %s  %s\n", _("wire"), _(silence));
		if (event->resent[0])
			fprintf(out, "  %s  %s\n", _("resent"), lab_event_resent_shown(event));
		if (event->held[0])
			fprintf(out, "  %s  %s\n", _("held"), lab_event_held_shown(event));
		/* Woken calls share one snapshot: print it after the last of them. */
		bool last_of_kind = i + 1 == count
			|| (events[i + 1].kind == EVENT_WOKE) != (event->kind == EVENT_WOKE)
			|| catalog_calls[events[i + 1].call].wire;
		/* A released segment and the calls it woke share one snapshot too. */
		if (let_go && i + 1 < count && events[i + 1].kind == EVENT_WOKE)
			last_of_kind = false;
		if (last_of_kind)
			print_sockets(out, info, &event->snapshot);
	}
	for (size_t i = 0; i < count; i++)
		for (size_t k = 0; k < events[i].timer_ended_count; k++)
			fprintf(out, "  %s  %s\n", _("timer"),
				lab_event_timer_ended_shown(&events[i], k));
	for (size_t i = 0; i < count; i++)
		if (events[i].probe_note[0])
			fprintf(out, "  %s  %s\n", _("probe"), events[i].probe_note);
	for (size_t i = 0; i < count; i++)
		for (size_t k = 0; k < events[i].failure_count; k++)
			fprintf(out, "  %s %s\n", _("FAILED"),
				lab_event_failure_shown(&events[i], k));
}

void plain_print_log(FILE *out, const struct run_info *info, const struct lab_event *events,
		     size_t count)
{
	size_t start = 0;
	for (size_t i = 1; i <= count; i++) {
		if (i < count && events[i].step == events[start].step)
			continue;
		plain_print_step_in(out, info, events, start, i - start);
		start = i;
	}
}

void plain_print_summary(FILE *out, const struct run_info *info, const struct lab_event *events,
			 size_t count)
{
	size_t failures = 0, ended = 0, steps = count ? events[count - 1].step : 0;
	for (size_t i = 0; i < count; i++) {
		failures += events[i].failure_count;
		ended += events[i].timer_ended_count;
	}
	if (info->unchecked)
		fprintf(out,
			_("\n%zu of %zu steps run; expectations not checked: the lesson was "
			  "written for a free wire (--hold)\n"),
			steps, info->step_count);
	else if (failures)
		fprintf(out,
			ngettext("\n%zu of %zu steps run, %zu expectation failed\n",
				 "\n%zu of %zu steps run, %zu expectations failed\n", failures),
			steps, info->step_count, failures);
	else if (ended)
		fprintf(out,
			_("\n%zu of %zu steps run, every expectation met (%zu after a kernel timer "
			  "ended the state: see 'timer')\n"),
			steps, info->step_count, ended);
	else
		fprintf(out, _("\n%zu of %zu steps run, every expectation met\n"), steps,
			info->step_count);
}

void plain_print_prose(FILE *out, const char *label, const char *text)
{
	enum { WIDTH = 76 };   /* 80 columns, less the indent */
	if (!text)
		return;
	size_t count = wrap_text(text, WIDTH, NULL, 0);
	struct wrap_line *lines = count ? calloc(count, sizeof *lines) : NULL;
	if (!lines)
		return;
	wrap_text(text, WIDTH, lines, count);
	if (label)
		fprintf(out, "  %s\n", label);
	for (size_t i = 0; i < count; i++) {
		fprintf(out, "%s", lines[i].len ? "  " : "");
		/* A newline inside the slice stands for a space. */
		for (size_t k = 0; k < lines[i].len; k++)
			fputc(lines[i].start[k] == '\n' ? ' ' : lines[i].start[k], out);
		fputc('\n', out);
	}
	free(lines);
}

void plain_print_step_prose(FILE *out, const struct lesson_step *step)
{
	if (step->python)
		fprintf(out, _("  python: %s\n"), step->python);
	if (step->say) {
		fputc('\n', out);
		plain_print_prose(out, NULL, step->say);
	}
	if (step->then_say) {
		fputc('\n', out);
		plain_print_prose(out, _("then:"), step->then_say);
	}
}
