/* stepper — two traced programs, the model of `socklab step`. */
#include "stepper.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "text.h"
#include "words.h"

struct program {
	struct tracer *tracer;             /* owned; NULL once it failed */
	pid_t held_task;                   /* the task stopped before side.next */
};

struct stepper {
	struct lesson lesson;              /* names the sides; no steps */
	struct session *session;           /* owned */
	struct program programs[STEPPER_SIDES];
	struct stepper_side sides[STEPPER_SIDES];
};

static const char *const side_names[STEPPER_SIDES] = { "server", "client" };

static bool is_python(const char *program)
{
	const char *base = strrchr(program, '/');
	base = base ? base + 1 : program;
	return strncmp(base, "python", 6) == 0;
}

int stepper_start_program(struct tracer **tracer, const char *command, const char *base_dir, const char *name,
			  const char *examples_dir, char **err)
{
	struct words words;
	char *why = NULL;
	if (words_split(&words, command, base_dir, &why, NULL) < 0) {
		text_error(err, "%s: %s", name, why ? why : "out of memory");
		free(why);
		return -1;
	}
	char reporter[1024], **python_argv = NULL;
	snprintf(reporter, sizeof reporter, "%s/trace_python_lines.py", examples_dir);
	char **argv = words.argv;
	/* Without the reporter (a lesson far from the examples) the program runs as it is, without lines. */
	if (is_python(argv[0]) && access(reporter, R_OK) == 0
	    && tracer_python_argv(words.argv, reporter, &python_argv, err) == 1)
		argv = python_argv;
	int started = tracer_start(tracer, argv, name, python_argv ? TRACER_REPORTS_LINES : TRACER_PLAIN, err);
	free(python_argv);   /* the array only: its strings are the words' and the reporter's */
	words_done(&words);
	return started;
}

int stepper_new(struct stepper **out, const char *const commands[STEPPER_SIDES], const char *examples_dir,
		struct sandbox *sandbox, char **err)
{
	struct stepper *stepper = calloc(1, sizeof *stepper);
	*out = NULL;
	if (!stepper)
		return text_error(err, "out of memory");
	stepper->lesson.path = "<step>";
	stepper->lesson.name = "step";
	stepper->lesson.title = "two programs, stepped at their socket calls";
	stepper->lesson.side_count = STEPPER_SIDES;
	for (int s = 0; s < STEPPER_SIDES; s++) {
		snprintf(stepper->lesson.sides[s], NAME_MAX_LEN, "%s", side_names[s]);
		stepper->lesson.forked[s] = true;   /* no puppet: the programs are the sides */
		snprintf(stepper->sides[s].name, sizeof stepper->sides[s].name, "%s", side_names[s]);
		snprintf(stepper->sides[s].command, sizeof stepper->sides[s].command, "%s", commands[s]);
		stepper->sides[s].state = STEPPER_RUNNING;
	}
	if (session_new(&stepper->session, &stepper->lesson, sandbox, err) < 0
	    || session_capture(stepper->session, NULL, err) < 0)
		goto failed;
	/* Each program runs to its first socket call; one that sleeps before
	 * any (a terminal read, sleep()) says so once settled. */
	for (int s = 0; s < STEPPER_SIDES; s++)
		if (stepper_start_program(&stepper->programs[s].tracer, commands[s], NULL, side_names[s], examples_dir, err) < 0
		    || tracer_request_settle(stepper->programs[s].tracer, err) < 0)
			goto failed;
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
		tracer_free(stepper->programs[s].tracer);
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

int stepper_fds(const struct stepper *stepper, int fds[STEPPER_SIDES])
{
	int count = 0;
	for (int s = 0; s < STEPPER_SIDES; s++) {
		int fd = stepper->programs[s].tracer ? tracer_fd(stepper->programs[s].tracer) : -1;
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
	bool received = event->call == CALL_RECV || event->call == CALL_RECVFROM;
	struct observed_call call = {
		.side = side,
		.kind = blocked ? EVENT_BLOCKED : event->woke ? EVENT_WOKE : EVENT_RETURNED,
		.call = (enum call_id)event->call,
		.text = text,
		.ret = event->ret,
		.error = event->error,
		.bytes = event->bytes,
		.bytes_len = returned && received ? event->bytes_len : 0,
		.address = event->address,
		.target = event->target,
		.fd = event->fd,
		.result_inode = event->result_inode,
	};
	return session_observe(session, &call, err) < 0 ? -1 : 1;
}

/* One event of one program: the side's state, and a step when it is one. */
static int take_event(struct stepper *stepper, int s, const struct tracer_event *event, char **err)
{
	struct stepper_side *side = &stepper->sides[s];
	struct program *program = &stepper->programs[s];
	switch (event->kind) {
	case TRACER_CALL:
		side->state = STEPPER_HELD;
		program->held_task = event->task;
		snprintf(side->next, sizeof side->next, "%s", event->text);
		snprintf(side->line, sizeof side->line, "%s", event->line);
		return 0;
	case TRACER_RETURNED:
		if (event->startup) {
			side->startup_calls++;
			return 0;
		}
		if (stepper_observe(stepper->session, s, event, err) < 0)
			return -1;
		side->state = STEPPER_RUNNING;
		side->next[0] = side->line[0] = '\0';
		/* Read at its return; now on to the next socket call. */
		return event->held ? tracer_release(program->tracer, event->task, err) : 0;
	case TRACER_BLOCKED:
		side->state = STEPPER_BLOCKED;
		snprintf(side->next, sizeof side->next, "%s", event->text);
		return stepper_observe(stepper->session, s, event, err) < 0 ? -1 : 0;
	case TRACER_SETTLED:
		if (side->state == STEPPER_RUNNING && event->held_count == 0 && event->blocked_count == 0
		    && event->asleep_count > 0) {
			side->state = STEPPER_ASLEEP;
			snprintf(side->message, sizeof side->message, "%s", event->message);
		}
		return 0;
	case TRACER_OUTPUT:
		text_keep_tail(side->output, sizeof side->output, &side->output_len, event->bytes, event->bytes_len);
		return 0;
	case TRACER_EXITED:
		if (event->program_over) {
			side->state = STEPPER_OVER;
			side->next[0] = side->line[0] = '\0';
			snprintf(side->message, sizeof side->message, "%s", event->message);
		}
		return 0;
	case TRACER_EVENT_KIND_COUNT:
		break;
	}
	return 0;
}

int stepper_pump(struct stepper *stepper, char **err)
{
	/* One event buffer: each carries up to 64 KiB of bytes. */
	struct tracer_event *event = malloc(sizeof *event);
	if (!event)
		return text_error(err, "out of memory");
	int changed = 0, got = 0;
	for (int s = 0; s < STEPPER_SIDES && got >= 0; s++) {
		struct tracer *tracer = stepper->programs[s].tracer;
		while (tracer && (got = tracer_poll(tracer, event, err)) > 0) {
			changed = 1;
			if (take_event(stepper, s, event, err) < 0) {
				got = -1;
				break;
			}
		}
	}
	free(event);
	return got < 0 ? -1 : changed;
}

int stepper_release(struct stepper *stepper, int side, char **err)
{
	if (side < 0 || side >= STEPPER_SIDES || stepper->sides[side].state != STEPPER_HELD)
		return 1;
	struct program *program = &stepper->programs[side];
	if (tracer_release(program->tracer, program->held_task, err) < 0)
		return -1;
	stepper->sides[side].state = STEPPER_RUNNING;
	return 0;
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
		if (stepper->sides[s].state == STEPPER_RUNNING)
			return false;
	return true;
}

static uint64_t now_ms(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
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
	enum stepper_state state = stepper->sides[preferred].state;
	if (state == STEPPER_HELD || state == STEPPER_RUNNING)
		return preferred;
	for (int s = 0; s < STEPPER_SIDES; s++)
		if (stepper->sides[s].state == STEPPER_HELD)
			return s;
	return preferred;
}
