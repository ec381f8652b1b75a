/* record — a call's events: from its reply, and a woken call's (record.h). */
#include "record.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "address.h"
#include "i18n.h"
#include "readiness.h"
#include "sides.h"

struct lab_event *record_event(struct session *session, enum event_kind kind, int side,
				      const struct typed_call *call)
{
	if (session->event_count == session->event_capacity) {
		size_t capacity = session->event_capacity ? session->event_capacity * 2 : 32;
		struct lab_event *grown = realloc(session->events, capacity * sizeof *grown);
		if (!grown)
			return NULL;
		session->events = grown;
		session->event_capacity = capacity;
	}
	struct lab_event *event = &session->events[session->event_count];
	memset(event, 0, sizeof *event);
	event->text = strdup(call->text);
	if (!event->text)
		return NULL;
	session->event_count++;
	event->seq = session->event_count;
	event->step = session->steps_done + 1;
	event->fd_argument = -1;
	event->kind = kind;
	event->side = side;
	event->call = call->def->id;
	return event;
}

/* Adds a sentence to an event's list and its shown form beside it (NULL
 * where it reads as the English). */
static int add_sentence(char ***texts, char ***shown_texts, size_t *count, const char *text,
			const char *shown)
{
	char **grown = realloc(*texts, (*count + 1) * sizeof *grown);
	if (!grown)
		return -1;
	*texts = grown;
	char **grown_shown = realloc(*shown_texts, (*count + 1) * sizeof *grown_shown);
	if (!grown_shown)
		return -1;
	*shown_texts = grown_shown;
	/* Before the count grows, both arrays are sized for one more. */
	grown_shown[*count] = NULL;
	grown[*count] = strdup(text);
	if (!grown[*count])
		return -1;
	if (shown && strcmp(shown, text) != 0 && !(grown_shown[*count] = strdup(shown))) {
		free(grown[*count]);
		return -1;
	}
	(*count)++;
	return 0;
}

int record_failure_said(struct lab_event *event, const char *text, const char *shown)
{
	return add_sentence(&event->failures, &event->failures_shown, &event->failure_count, text,
			    shown);
}

int record_failure(struct lab_event *event, const char *format, ...)
{
	char *text = NULL, *shown = NULL;
	va_list args, again;
	va_start(args, format);
	va_copy(again, args);
	int made = vasprintf(&text, format, args);
	const char *translated = _(format);
	int made_shown = translated == format ? 0 : vasprintf(&shown, translated, again);
	va_end(again);
	va_end(args);
	if (made < 0)
		text = NULL;      /* vasprintf leaves it undefined */
	if (made_shown < 0)
		shown = NULL;
	int result = made < 0 || made_shown < 0 ? -1 : record_failure_said(event, text, shown);
	free(text);
	free(shown);
	return result;
}

/* An expectation a kernel timer explains: said, not counted as failed. */
int record_timer_ended(struct lab_event *event, const char *text, const char *shown)
{
	return add_sentence(&event->timers_ended, &event->timers_ended_shown,
			    &event->timer_ended_count, text, shown);
}

/* Fills an event from a reply and updates the side's names and kinds. */
void record_arguments(struct lab_event *event, const struct typed_call *call,
			     const struct puppet_request *request)
{
	event->fd_argument = -1;
	for (int a = 0; a < call->arg_count; a++) {
		if (call->args[a].kind == ARG_SOCKET)
			event->fd_argument = request->fd;
		else if (call->args[a].kind == ARG_ADDRESS)
			lab_address_from_sockaddr((const struct sockaddr *)&request->address,
						  request->address_len, &event->target);
	}
}

void record_reply(struct session *session, struct side *side, const struct typed_call *call,
		  const struct puppet_request *request, const struct puppet_reply *reply,
		  struct lab_event *event)
{
	event->ret = reply->ret;
	event->error = reply->error;
	event->elapsed_ns = reply->elapsed_ns;
	if (reply->bytes_len) {
		event->bytes = malloc(reply->bytes_len);
		if (event->bytes) {
			memcpy(event->bytes, reply->bytes, reply->bytes_len);
			event->bytes_len = reply->bytes_len;
		}
	}
	if (reply->address_len)
		lab_address_from_sockaddr((const struct sockaddr *)&reply->address,
					  reply->address_len, &event->address);
	if (reply->ready_count > 0) {
		event->ready = calloc((size_t)reply->ready_count, sizeof *event->ready);
		if (event->ready) {
			for (int i = 0; i < reply->ready_count; i++) {
				struct ready_fd *entry = &event->ready[i];
				entry->fd = reply->ready_fd[i];
				entry->events = reply->ready_events[i];
				const char *name = side_name_of_fd(side, entry->fd);
				text_copy(entry->name, sizeof entry->name, name);
			}
			event->ready_count = (size_t)reply->ready_count;
		}
	}
	if (call->def->result == RESULT_VALUE && reply->ret >= 0) {
		event->has_value = true;
		event->value = call->def->id == CALL_FCNTL ? reply->ret : reply->value;
	}
	if (reply->ret < 0)
		return;
	struct fd_kind *kind = side_find_kind(side, request->fd);
	switch (call->def->id) {
	case CALL_SOCKET:
		side_set_kind(side, (int)reply->ret, (int)request->numbers[0],
			      (int)request->numbers[1]);
		side_keep_fd(side, (int)reply->ret, (uint32_t)reply->inode);
		side_mark_produced(side, reply->ret);
		break;
	case CALL_ACCEPT:
		if (kind)
			side_set_kind(side, (int)reply->ret, kind->family, kind->type);
		side_keep_fd(side, (int)reply->ret, (uint32_t)reply->inode);
		side_mark_produced(side, reply->ret);
		break;
	case CALL_EPOLL_CREATE:
		side_mark_produced(side, reply->ret);
		break;
	case CALL_BIND:
		if (kind && kind->type == SOCK_STREAM && kind->family != AF_UNIX)
			kind->bound_only = true;
		break;
	case CALL_LISTEN:
	case CALL_CONNECT:
		if (kind) {
			kind->bound_only = false;
			kind->listening |= call->def->id == CALL_LISTEN;
		}
		break;
	case CALL_SHUTDOWN:
		/* A listener shut down stops listening but keeps its address. */
		if (kind && kind->listening) {
			kind->listening = false;
			kind->bound_only = true;
		}
		break;
	case CALL_CLOSE:
		side_drop_kind(side, request->fd);
		side_release_fd(side, request->fd);
		for (int i = 0; i < side->name_count; i++)
			if (side->names[i].fd == request->fd)
				side->names[i].closed = true;
		break;
	default:
		break;
	}
	if (call->result_name[0] && call->def->names_result)
		side_bind_name(side, call->result_name, (int)reply->ret);
	(void)session;
}

void record_program_reply(const struct tracer_event *returned, struct puppet_reply *reply)
{
	memset(reply, 0, offsetof(struct puppet_reply, bytes));
	reply->ret = returned->ret;
	reply->error = returned->error;
	reply->elapsed_ns = returned->elapsed_ns;
	reply->inode = returned->result_inode;
	reply->address_len = lab_address_to_sockaddr(&returned->address, &reply->address);
	bool received = returned->call == CALL_RECV || returned->call == CALL_RECVFROM;
	if (received && returned->ret > 0) {
		size_t len = returned->bytes_len < sizeof reply->bytes ? returned->bytes_len
								       : sizeof reply->bytes;
		memcpy(reply->bytes, returned->bytes, len);
		reply->bytes_len = (uint32_t)len;
	}
}

/* Whether side `s`'s blocked call has returned; if so, its WOKE event. */
int record_woken_side(struct session *session, int s, char **err)
{
	struct side *side = &session->sides[s];
	if (side->is_program) {
		int status = program_check_woken(&side->program, PROGRAM_TIMEOUT_MS, err);
		if (status < 0)
			return -1;
		if (status == PROGRAM_BLOCKED)
			return 0;
		side->blocked = false;
		if (status != PROGRAM_RETURNED)
			return 0;   /* over: its next step says so */
		record_program_reply(side->program.returned, &session->reply);
	} else {
		enum puppet_status status = puppet_check_woken(&side->puppet, &session->reply, err);
		if (status == PUPPET_DEAD)
			return -1;
		if (status != PUPPET_IDLE)
			return 0;
		side->blocked = false;
	}
	const struct typed_call *call = &session->lesson->steps[side->blocked_step].call;
	struct lab_event *event = record_event(session, EVENT_WOKE, s, call);
	if (!event)
		return text_error(err, "out of memory");
	record_arguments(event, call, &side->request);
	record_reply(session, side, call, &side->request, &session->reply, event);
	return 0;
}

int record_woken(struct session *session, int except_side, char **err)
{
	for (int s = 0; s < session->side_count; s++)
		if (s != except_side && session->sides[s].blocked
		    && record_woken_side(session, s, err) < 0)
			return -1;
	return 0;
}

/* Runs the step's call on its side's puppet and appends its event. */
/* The call's event: asleep in the kernel, or returned with session->reply. */
int record_outcome(struct session *session, struct side *side, const struct typed_call *call,
		   bool blocked, char **err)
{
	struct lab_event *event =
		record_event(session, blocked ? EVENT_BLOCKED : EVENT_RETURNED, call->side, call);
	if (!event)
		return text_error(err, "out of memory");
	record_arguments(event, call, &side->request);
	if (blocked) {
		side->blocked = true;
		side->blocked_step = session->steps_done;
	} else {
		record_reply(session, side, call, &side->request, &session->reply, event);
	}
	return 0;
}
