/* stepper — two traced programs, the model of `socklab step`. */
#include "stepper.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "program.h"
#include "text.h"

/* The call let go from its entry, until it returns, sleeps or dies: the
 * kernel's wake-ups it causes are recorded after it. */
struct cause {
	bool active;
	int side;
	pid_t task, process;
};

struct stepper {
	struct lesson lesson;              /* names the sides; no steps */
	struct session *session;           /* owned */
	struct tracer *tracers[STEPPER_SIDES];   /* owned; NULL once failed */
	struct stepper_side sides[STEPPER_SIDES];
	struct cause cause;
	struct tracer_event **deferred;    /* owned: woken returns waiting for their cause */
	size_t deferred_count, deferred_capacity;
	int deferred_sides[STEPPER_TASKS];
	stepper_listener *listener;
	void *listener_context;
	uint64_t releases;                 /* calls released so far, both sides */
	struct tracer_event *event;        /* owned: where stepper_pump takes each event (64 KiB
	                                      of bytes: kept, not made anew at each pump) */
};

static const char *const side_names[STEPPER_SIDES] = { "server", "client" };

int stepper_new(struct stepper **out, const char *const commands[STEPPER_SIDES],
		const char *examples_dir, struct sandbox *sandbox, char **err)
{
	struct stepper *stepper = calloc(1, sizeof *stepper);
	*out = NULL;
	if (!stepper)
		return text_error(err, "out of memory");
	stepper->lesson.path = "<step>";
	stepper->lesson.name = "step";
	stepper->lesson.title = _("two programs, stepped at their socket calls");
	stepper->lesson.side_count = STEPPER_SIDES;
	for (int s = 0; s < STEPPER_SIDES; s++) {
		snprintf(stepper->lesson.sides[s], NAME_MAX_LEN, "%s", side_names[s]);
		stepper->lesson.forked[s] = true;   /* no puppet: the programs are the sides */
		snprintf(stepper->sides[s].name, sizeof stepper->sides[s].name, "%s",
			 side_names[s]);
		snprintf(stepper->sides[s].command, sizeof stepper->sides[s].command, "%s",
			 commands[s]);
		stepper->sides[s].state = STEPPER_RUNNING;
		stepper->sides[s].processes = 1;
	}
	if (session_new(&stepper->session, &stepper->lesson, sandbox, err) < 0
	    || session_capture(stepper->session, NULL, err) < 0)
		goto failed;
	/* Each program runs to its first socket call; one that sleeps before
	 * any (a terminal read, sleep()) says so once settled. */
	for (int s = 0; s < STEPPER_SIDES; s++) {
		if (program_launch(&stepper->tracers[s], commands[s], NULL, side_names[s],
				   examples_dir, err) < 0) {
			stepper->tracers[s] = NULL;
			goto failed;
		}
		struct observed_process first = { .side = s, .kind = OBSERVED_EXEC,
						  .process = tracer_pid(stepper->tracers[s]),
						  .command = commands[s] };
		if (session_observe_process(stepper->session, &first, err) < 0
		    || tracer_request_settle(stepper->tracers[s], err) < 0)
			goto failed;
	}
	*out = stepper;
	return 0;
failed:
	stepper_free(stepper);
	return -1;
}

void stepper_free(struct stepper *stepper)
{
	if (!stepper)
		return;
	for (int s = 0; s < STEPPER_SIDES; s++)
		tracer_free(stepper->tracers[s]);
	for (size_t i = 0; i < stepper->deferred_count; i++)
		free(stepper->deferred[i]);
	free(stepper->deferred);
	free(stepper->event);
	session_free(stepper->session);
	free(stepper);
}

struct session *stepper_session(struct stepper *stepper)
{
	return stepper->session;
}

const struct stepper_side *stepper_side(const struct stepper *stepper, int side)
{
	return side >= 0 && side < STEPPER_SIDES ? &stepper->sides[side] : NULL;
}

void stepper_listen(struct stepper *stepper, stepper_listener *listener, void *context)
{
	stepper->listener = listener;
	stepper->listener_context = context;
}

int stepper_fds(const struct stepper *stepper, int fds[STEPPER_SIDES])
{
	int count = 0;
	for (int s = 0; s < STEPPER_SIDES; s++) {
		int fd = stepper->tracers[s] ? tracer_fd(stepper->tracers[s]) : -1;
		if (fd >= 0)
			fds[count++] = fd;
	}
	return count;
}

int stepper_observe(struct session *session, int side, const struct tracer_event *event, char **err)
{
	bool returned = event->kind == TRACER_RETURNED, blocked = event->kind == TRACER_BLOCKED;
	if ((!returned && !blocked) || event->call < 0 || event->startup)
		return 0;   /* a call the catalog has no row for runs, unshown */
	/* The tracer's text ends with " = result" once returned: the session
	 * keeps the call as made and its result apart. */
	char text[TRACER_TEXT_MAX];
	snprintf(text, sizeof text, "%s", event->text);
	char *result = returned ? strstr(text, ") = ") : NULL;
	for (char *later = result; later; later = strstr(later + 1, ") = "))
		result = later;
	if (result)
		result[1] = '\0';
	/* Bytes the text shows decoded (netlink messages) are not shown again as bytes. */
	bool received =
		(event->call == CALL_RECV || event->call == CALL_RECVFROM) && !event->bytes_decoded;
	struct observed_call call = {
		.side = side,
		.kind = blocked ? EVENT_BLOCKED : event->woke ? EVENT_WOKE : EVENT_RETURNED,
		.call = (enum call_id)event->call,
		.text = text,
		.ret = event->ret,
		.error = event->error,
		.bytes = event->bytes,
		.bytes_len = returned && received ? event->bytes_len : 0,
		.address = &event->address,
		.target = &event->target,
		.fd = event->fd,
		.family = event->family,
		.type = event->type,
		.result_inode = event->result_inode,
		.pair = { event->pair[0], event->pair[1] },
		.pair_inodes = { event->pair_inodes[0], event->pair_inodes[1] },
		.message_bytes = event->message_bytes,
		.process = event->process,
	};
	return session_observe(session, &call, err) < 0 ? -1 : 1;
}

/* ---- news --------------------------------------------------------------- */

static void tell(struct stepper *stepper, enum stepper_news_kind kind, int side,
		 const struct tracer_event *event, size_t first_event, pid_t parent)
{
	if (!stepper->listener)
		return;
	char who[STEPPER_LABEL_MAX], parent_who[STEPPER_LABEL_MAX] = "";
	session_process_label(stepper->session, side, event ? event->process : 0, who, sizeof who);
	if (parent)
		session_process_label(stepper->session, side, parent, parent_who,
				      sizeof parent_who);
	struct stepper_news news = { .kind = kind, .side = side, .who = who,
				     .parent_who = parent_who, .event = event,
				     .first_event = first_event };
	stepper->listener(&news, stepper->listener_context);
}

/* The side's state, from its held tasks and what the tracer last said. */
static void update_state(struct stepper_side *side)
{
	if (side->state == STEPPER_OVER)
		return;
	if (side->chosen >= side->held_count)
		side->chosen = 0;
	if (side->held_count > 0) {
		side->state = STEPPER_HELD;
		snprintf(side->next, sizeof side->next, "%s", side->held[side->chosen].next);
		snprintf(side->line, sizeof side->line, "%s", side->held[side->chosen].line);
		return;
	}
	side->line[0] = '\0';
	if (!side->settled)
		side->state = STEPPER_RUNNING;
}

static void drop_held(struct stepper_side *side, pid_t task)
{
	for (size_t i = 0; i < side->held_count; i++)
		if (side->held[i].task == task) {
			memmove(&side->held[i], &side->held[i + 1],
				(side->held_count - i - 1) * sizeof side->held[0]);
			side->held_count--;
			if (side->chosen > i)
				side->chosen--;
			return;
		}
}

/* A task's call is no longer asleep (it came back, or the task is gone). */
static void drop_sleeper(struct stepper_side *side, pid_t task)
{
	for (size_t i = 0; i < side->sleeping_count; i++)
		if (side->sleeping[i].task == task) {
			memmove(&side->sleeping[i], &side->sleeping[i + 1],
				(side->sleeping_count - i - 1) * sizeof side->sleeping[0]);
			side->sleeping_count--;
			return;
		}
}

/* A blocked side's `next`: the call its oldest sleeper sleeps in, not the
 * last call shown. */
static void name_first_sleeper(struct stepper_side *side)
{
	_Static_assert(sizeof side->next == sizeof side->sleeping[0].call,
		       "a sleeper's call fits `next`");
	if (side->sleeping_count > 0)
		memcpy(side->next, side->sleeping[0].call, sizeof side->next);
}

static void add_sleeper(struct stepper_side *side, const struct tracer_event *event)
{
	drop_sleeper(side, event->task);
	if (side->sleeping_count == STEPPER_TASKS)
		return;
	struct stepper_sleeper *sleeper = &side->sleeping[side->sleeping_count++];
	sleeper->task = event->task;
	sleeper->process = event->process;
	snprintf(sleeper->call, sizeof sleeper->call, "%s", event->text);
}

/* The tasks of `process` but `survivor` (0: none) are gone: an exit, or
 * an exec that ended every other thread. */
static void drop_process(struct stepper_side *side, pid_t process, pid_t survivor)
{
	for (size_t i = side->held_count; i-- > 0;)
		if (side->held[i].process == process && side->held[i].task != survivor)
			drop_held(side, side->held[i].task);
	for (size_t i = side->sleeping_count; i-- > 0;)
		if (side->sleeping[i].process == process && side->sleeping[i].task != survivor)
			drop_sleeper(side, side->sleeping[i].task);
}

static int take_event(struct stepper *stepper, int s, const struct tracer_event *event, char **err);

/* Something of the side runs again: its last "settled" no longer holds. */
static void unsettle(struct stepper_side *side)
{
	side->settled = false;
	side->all_held = false;
}

/* Woken returns waited for their cause: now they are recorded. */
static int flush_deferred(struct stepper *stepper, char **err)
{
	int result = 0;
	for (size_t i = 0; i < stepper->deferred_count; i++) {
		if (result == 0
		    && take_event(stepper, stepper->deferred_sides[i], stepper->deferred[i],
				  err) < 0)
			result = -1;
		free(stepper->deferred[i]);
	}
	stepper->deferred_count = 0;
	return result;
}

/* A woken return while the call that may have woken it has not come back:
 * kept (the task stays held at its return) until it has. 1 kept, 0 not. */
static int defer(struct stepper *stepper, int s, const struct tracer_event *event, char **err)
{
	const struct cause *cause = &stepper->cause;
	if (!cause->active || !event->woke || event->task == cause->task
	    || event->kind != TRACER_RETURNED)
		return 0;
	if (stepper->deferred_count == STEPPER_TASKS)
		return 0;
	size_t size = offsetof(struct tracer_event, bytes) + event->bytes_len;
	struct tracer_event *copy = malloc(sizeof *copy);
	if (!copy)
		return text_error(err, "out of memory");
	memcpy(copy, event, size);
	if (stepper->deferred_count == stepper->deferred_capacity) {
		size_t capacity = stepper->deferred_capacity ? 2 * stepper->deferred_capacity : 4;
		struct tracer_event **grown = realloc(stepper->deferred, capacity * sizeof *grown);
		if (!grown) {
			free(copy);
			return text_error(err, "out of memory");
		}
		stepper->deferred = grown;
		stepper->deferred_capacity = capacity;
	}
	stepper->deferred_sides[stepper->deferred_count] = s;
	stepper->deferred[stepper->deferred_count++] = copy;
	return 1;
}

/* Whether `event` ends the cause: its call came back, slept, or its process died. */
static bool ends_cause(const struct stepper *stepper, int s, const struct tracer_event *event)
{
	const struct cause *cause = &stepper->cause;
	if (!cause->active || s != cause->side)
		return false;
	if (event->kind == TRACER_EXITED)
		return event->process == cause->process || event->program_over;
	return (event->kind == TRACER_RETURNED || event->kind == TRACER_BLOCKED)
		&& event->task == cause->task;
}

/* The released call of side `s` is over: whatever it woke on the other
 * sides (a FIN wakes a recv, a connect an accept) has happened in the
 * kernel by now, as the step's snapshot showed, but their last word may
 * be "settled" from before it. Each is asked again. */
static int unsettle_others(struct stepper *stepper, int s, char **err)
{
	for (int other = 0; other < STEPPER_SIDES; other++) {
		struct stepper_side *side = &stepper->sides[other];
		/* A side whose every task waits in a stop cannot have been woken. */
		if (other == s || side->state == STEPPER_OVER || !stepper->tracers[other]
		    || !side->settled || side->all_held)
			continue;
		unsettle(side);
		if (tracer_request_settle(stepper->tracers[other], err) < 0)
			return -1;
	}
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
}

/* A call woken as another side's process dies (its FIN or RST wakes a
 * recv) can reach the lab before that death: the kernel closes a process's
 * fds before its end can be reaped. The dying side's end is taken first,
 * so the step's table does not show the dead process's fds open. At most
 * EXIT_WAIT_MS for each side. */
#define EXIT_WAIT_MS 500

static int take_exits_first(struct stepper *stepper, int s, char **err)
{
	for (int o = 0; o < STEPPER_SIDES; o++) {
		struct tracer *tracer = stepper->tracers[o];
		/* A side whose every task waits in a stop has nobody dying. */
		if (o == s || !tracer || stepper->sides[o].state == STEPPER_OVER
		    || (stepper->sides[o].settled && stepper->sides[o].all_held)
		    || !tracer_exiting(tracer))
			continue;
		/* Not stepper->event: the caller's event is in it. */
		struct tracer_event *event = malloc(sizeof *event);
		if (!event)
			return text_error(err, "out of memory");
		int result = 0;
		struct pollfd news = { .fd = tracer_fd(tracer), .events = POLLIN };
		for (uint64_t end = now_ms() + EXIT_WAIT_MS;
		     result >= 0 && tracer_exiting(tracer) && now_ms() < end;) {
			int got = tracer_poll(tracer, event, err);
			if (got > 0)
				result = take_event(stepper, o, event, err);
			else if (got == 0)
				poll(&news, 1, 10);
			else
				result = -1;
		}
		free(event);
		if (result < 0)
			return -1;
	}
	return 0;
}

static int take_call(struct stepper *stepper, int s, const struct tracer_event *event, char **err)
{
	struct stepper_side *side = &stepper->sides[s];
	if (event->woke && event->kind == TRACER_RETURNED && take_exits_first(stepper, s, err) < 0)
		return -1;
	size_t before;
	session_events(stepper->session, &before);
	int observed = stepper_observe(stepper->session, s, event, err);
	if (observed < 0)
		return -1;
	if (observed > 0)
		tell(stepper, NEWS_STEP, s, event, before, 0);
	if (event->kind == TRACER_BLOCKED) {
		add_sleeper(side, event);
		name_first_sleeper(side);
		return 0;
	}
	drop_sleeper(side, event->task);
	/* Read at its return; now on to the next socket call. */
	if (event->held) {
		unsettle(side);
		return tracer_release(stepper->tracers[s], event->task, err);
	}
	return 0;
}

/* One event of one program: the side's state, and a step when it is one. */
static int take_event(struct stepper *stepper, int s, const struct tracer_event *event, char **err)
{
	struct stepper_side *side = &stepper->sides[s];
	int kept = defer(stepper, s, event, err);
	if (kept != 0)
		return kept < 0 ? -1 : 0;
	bool ended = ends_cause(stepper, s, event);
	switch (event->kind) {
	case TRACER_CALL:
		if (side->held_count < STEPPER_TASKS) {
			struct stepper_task *task = &side->held[side->held_count++];
			task->task = event->task;
			task->process = event->process;
			session_process_label(stepper->session, s, event->process, task->who,
					      sizeof task->who);
			snprintf(task->next, sizeof task->next, "%s", event->text);
			snprintf(task->line, sizeof task->line, "%s", event->line);
			task->held_at = stepper->releases;
		}
		break;
	case TRACER_RETURNED:
		if (event->startup) {
			side->startup_calls++;
			tell(stepper, NEWS_STARTUP, s, event, 0, 0);
			break;
		}
		if (take_call(stepper, s, event, err) < 0)
			return -1;
		break;
	case TRACER_BLOCKED:
		if (take_call(stepper, s, event, err) < 0)
			return -1;
		break;
	case TRACER_SETTLED:
		side->settled = true;
		side->all_held = event->held_count > 0 && event->blocked_count == 0
			&& event->asleep_count == 0;
		if (side->held_count == 0 && event->blocked_count > 0) {
			side->state = STEPPER_BLOCKED;
			name_first_sleeper(side);
		}
		else if (side->held_count == 0 && event->asleep_count > 0) {
			side->state = STEPPER_ASLEEP;
			side->asleep_in_call = event->wait == TRACER_WAIT_ASLEEP;
			snprintf(side->message, sizeof side->message, "%s", event->message);
		}
		break;
	case TRACER_OUTPUT:
		text_keep_tail(side->output, sizeof side->output, &side->output_len, event->bytes,
			       event->bytes_len);
		tell(stepper, NEWS_OUTPUT, s, event, 0, 0);
		break;
	case TRACER_FORKED: {
		struct observed_process forked = { .side = s, .kind = OBSERVED_FORK,
						   .process = event->process,
						   .parent = event->parent };
		if (session_observe_process(stepper->session, &forked, err) < 0)
			return -1;
		side->processes++;
		tell(stepper, NEWS_FORK, s, event, 0, event->parent);
		/* A row of its own: the parent's fork(), with both holders after it. */
		size_t before;
		session_events(stepper->session, &before);
		struct observed_call call = { .side = s,
					      .kind = EVENT_RETURNED,
					      .call = CALL_FORK,
					      .text = "fork()",
					      .ret = event->process,
					      .fd = -1,
					      .process = event->parent };
		if (session_observe(stepper->session, &call, err) < 0)
			return -1;
		tell(stepper, NEWS_STEP, s, event, before, 0);
		break;
	}
	case TRACER_EXECED: {
		struct observed_process execed = { .side = s,
						   .kind = OBSERVED_EXEC,
						   .process = event->process,
						   .command = event->text };
		if (session_observe_process(stepper->session, &execed, err) < 0)
			return -1;
		drop_process(side, event->process, event->task);
		tell(stepper, NEWS_EXEC, s, event, 0, 0);
		break;
	}
	case TRACER_EXITED: {
		tell(stepper, NEWS_EXIT, s, event, 0, 0);
		struct observed_process gone = { .side = s,
						 .kind = OBSERVED_EXIT,
						 .process = event->process };
		if (session_observe_process(stepper->session, &gone, err) < 0)
			return -1;
		drop_process(side, event->process, 0);
		if (event->program_over) {
			side->state = STEPPER_OVER;
			side->held_count = side->sleeping_count = 0;
			side->next[0] = side->line[0] = '\0';
			snprintf(side->message, sizeof side->message, "%s", event->message);
		}
		break;
	}
	case TRACER_EVENT_KIND_COUNT:
		break;
	}
	update_state(side);
	if (ended) {
		stepper->cause.active = false;
		if (unsettle_others(stepper, s, err) < 0)
			return -1;
		return flush_deferred(stepper, err);
	}
	return 0;
}

int stepper_pump(struct stepper *stepper, char **err)
{
	if (!stepper->event && !(stepper->event = malloc(sizeof *stepper->event)))
		return text_error(err, "out of memory");
	struct tracer_event *event = stepper->event;
	int changed = 0, got = 0;
	for (int s = 0; s < STEPPER_SIDES && got >= 0; s++) {
		struct tracer *tracer = stepper->tracers[s];
		while (tracer && (got = tracer_poll(tracer, event, err)) > 0) {
			changed = 1;
			if (take_event(stepper, s, event, err) < 0) {
				got = -1;
				break;
			}
		}
	}
	return got < 0 ? -1 : changed;
}

int stepper_release(struct stepper *stepper, int s, char **err)
{
	if (s < 0 || s >= STEPPER_SIDES || stepper->sides[s].held_count == 0)
		return 1;
	struct stepper_side *side = &stepper->sides[s];
	struct stepper_task task = side->held[side->chosen < side->held_count ? side->chosen : 0];
	if (tracer_release(stepper->tracers[s], task.task, err) < 0)
		return -1;
	drop_held(side, task.task);
	stepper->releases++;
	side->chosen = 0;   /* back to the oldest: no task starves */
	unsettle(side);
	if (side->held_count == 0)
		side->state = STEPPER_RUNNING;
	update_state(side);
	stepper->cause = (struct cause){
		.active = true, .side = s, .task = task.task, .process = task.process
	};
	return 0;
}

void stepper_choose(struct stepper *stepper, int s, int delta)
{
	if (s < 0 || s >= STEPPER_SIDES || stepper->sides[s].held_count == 0)
		return;
	struct stepper_side *side = &stepper->sides[s];
	long count = (long)side->held_count;
	side->chosen = (size_t)((((long)side->chosen + delta) % count + count) % count);
	update_state(side);
}

int stepper_wait(struct stepper *stepper, int timeout_ms, char **err)
{
	int fds[STEPPER_SIDES];
	int count = stepper_fds(stepper, fds);
	struct pollfd polled[STEPPER_SIDES];
	for (int i = 0; i < count; i++)
		polled[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
	if (count > 0 && poll(polled, (nfds_t)count, timeout_ms) < 0 && errno != EINTR)
		return text_error(err, "poll: %s", strerror(errno));
	return stepper_pump(stepper, err);
}

bool stepper_quiet(const struct stepper *stepper)
{
	for (int s = 0; s < STEPPER_SIDES; s++)
		if (stepper->sides[s].state != STEPPER_OVER && !stepper->sides[s].settled)
			return false;
	return true;
}

bool stepper_in_flight(const struct stepper *stepper)
{
	return stepper->cause.active;
}

int stepper_settle(struct stepper *stepper, int timeout_ms, char **err)
{
	uint64_t deadline = now_ms() + (uint64_t)timeout_ms;
	if (stepper_pump(stepper, err) < 0)
		return -1;
	while (!stepper_quiet(stepper)) {
		uint64_t now = now_ms();
		if (now >= deadline)
			return 0;
		if (stepper_wait(stepper, (int)(deadline - now), err) < 0)
			return -1;
	}
	return 1;
}

int stepper_next_side(const struct stepper *stepper, int preferred)
{
	if (preferred < 0 || preferred >= STEPPER_SIDES)
		preferred = 0;
	const struct stepper_side *other = &stepper->sides[1 - preferred];
	if (other->state == STEPPER_HELD && other->held_count > 0
	    && stepper->releases - other->held[0].held_at >= STEPPER_FAIR_RELEASES)
		return 1 - preferred;
	enum stepper_state state = stepper->sides[preferred].state;
	if (state == STEPPER_HELD || state == STEPPER_RUNNING)
		return preferred;
	for (int s = 0; s < STEPPER_SIDES; s++)
		if (stepper->sides[s].state == STEPPER_HELD)
			return s;
	return preferred;
}
