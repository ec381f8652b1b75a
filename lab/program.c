/* program — an unmodified program as a lesson's side. */
#include "program.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "text.h"
#include "words.h"

static uint64_t now_ms(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
}

static bool is_python(const char *program)
{
	const char *base = strrchr(program, '/');
	base = base ? base + 1 : program;
	return strncmp(base, "python", 6) == 0;
}

int program_launch(struct tracer **tracer, const char *command, const char *base_dir,
		   const char *name, const char *examples_dir, char **err)
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
	/* Without the reporter (a lesson far from the examples) the program runs as it is,
	 * without lines. */
	if (is_python(argv[0]) && access(reporter, R_OK) == 0
	    && tracer_python_argv(words.argv, reporter, &python_argv, err) == 1)
		argv = python_argv;
	int started = tracer_start(tracer, argv, name,
				   python_argv ? TRACER_REPORTS_LINES : TRACER_PLAIN, err);
	free(python_argv);   /* the array only: its strings are the words' and the reporter's */
	words_done(&words);
	return started;
}

int program_start(struct program *program, const char *command, const char *base_dir,
		  const char *name, const char *examples_dir, char **err)
{
	memset(program, 0, sizeof *program);
	program->event = malloc(sizeof *program->event);
	program->call = malloc(sizeof *program->call);
	program->returned = malloc(sizeof *program->returned);
	if (!program->event || !program->call || !program->returned) {
		program_stop(program);
		return text_error(err, "%s: out of memory", name);
	}
	if (program_launch(&program->tracer, command, base_dir, name, examples_dir, err) < 0) {
		program->tracer = NULL;
		program_stop(program);
		return -1;
	}
	return 0;
}

void program_stop(struct program *program)
{
	tracer_free(program->tracer);
	free(program->event);
	free(program->call);
	free(program->returned);
	memset(program, 0, sizeof *program);
}

int program_fd(const struct program *program)
{
	return program->tracer ? tracer_fd(program->tracer) : -1;
}

int program_serve(struct program *program, char **err)
{
	return program->tracer ? tracer_serve(program->tracer, err) : 0;
}

/* The next event that says something about the program's calls: output
 * is kept, the interpreter's start-up calls pass, the end is noted.
 * Returns 1 with program->event, 0 on the deadline, -1 with *err. */
static int next_event(struct program *program, uint64_t deadline, char **err)
{
	for (;;) {
		uint64_t now = now_ms();
		int left = now >= deadline ? 0 : (int)(deadline - now);
		int got = tracer_wait(program->tracer, program->event, left, err);
		if (got <= 0)
			return got;
		const struct tracer_event *event = program->event;
		if (event->kind == TRACER_OUTPUT) {
			text_keep_tail(program->output, sizeof program->output,
				       &program->output_len, event->bytes, event->bytes_len);
			continue;
		}
		if (event->startup)
			continue;
		if (event->kind == TRACER_EXITED) {
			if (!event->program_over)
				continue;
			program->over = true;
			program->at_call = program->at_return = program->blocked = false;
			snprintf(program->message, sizeof program->message, "%s", event->message);
		}
		return 1;
	}
}

enum { KEEP_WAITING = -2 };

/* What an event means to the wait it came in: a program_status, or
 * KEEP_WAITING; -1 with *err when the lab failed. */
typedef int event_meaning(struct program *program, char **err);

/* Waits up to timeout_ms for the event that ends a wait (`what` the
 * program failed to do says the error otherwise). */
static int await_event(struct program *program, event_meaning *meaning, const char *what,
		       int timeout_ms, char **err)
{
	uint64_t deadline = now_ms() + (uint64_t)timeout_ms;
	for (;;) {
		int got = next_event(program, deadline, err);
		if (got < 0)
			return -1;
		if (got == 0)
			return text_error(err, "the program %s in %d s", what, timeout_ms / 1000);
		if (program->event->kind == TRACER_EXITED)
			return PROGRAM_OVER;
		int status = meaning(program, err);
		if (status != KEEP_WAITING)
			return status;
	}
}

/* A call's return: kept, the program held there until its next step. */
static int take_return(struct program *program)
{
	memcpy(program->returned, program->event, sizeof *program->event);
	program->at_return = program->event->held;
	program->blocked = false;
	return PROGRAM_RETURNED;
}

/* Running on to the next call: it stops there, or sleeps elsewhere. */
static int toward_a_call(struct program *program, char **err)
{
	const struct tracer_event *event = program->event;
	if (event->kind == TRACER_CALL) {
		memcpy(program->call, event, sizeof *event);
		program->at_call = true;
		return PROGRAM_HELD;
	}
	if (event->kind == TRACER_SETTLED && event->held_count == 0 && event->blocked_count == 0) {
		tracer_event_where(event, program->message, sizeof program->message);
		return PROGRAM_ASLEEP;
	}
	/* Not held: a call cut short by a signal, seen to fail with EINTR. */
	if (event->kind == TRACER_RETURNED && event->held
	    && tracer_release(program->tracer, event->task, err) < 0)
		return -1;
	return KEEP_WAITING;
}

/* The released call: it returns, or sleeps in the kernel. */
static int in_the_call(struct program *program, char **err)
{
	(void)err;
	const struct tracer_event *event = program->event;
	if (event->task != program->call->task)
		return KEEP_WAITING;
	if (event->kind == TRACER_RETURNED)
		return take_return(program);
	if (event->kind == TRACER_BLOCKED) {
		program->blocked = true;
		return PROGRAM_BLOCKED;
	}
	return KEEP_WAITING;
}

/* A sleeping call: it came back, or the program settled without it. */
static int woken_or_settled(struct program *program, char **err)
{
	(void)err;
	const struct tracer_event *event = program->event;
	if (event->kind == TRACER_RETURNED && event->task == program->call->task)
		return take_return(program);
	return event->kind == TRACER_SETTLED ? PROGRAM_BLOCKED : KEEP_WAITING;
}

int program_next_call(struct program *program, int timeout_ms, char **err)
{
	if (program->over)
		return PROGRAM_OVER;
	if (program->at_call)
		return PROGRAM_HELD;
	if (program->blocked)
		return PROGRAM_BLOCKED;
	int sent = program->at_return
		? tracer_release(program->tracer, program->returned->task, err)
		: tracer_request_settle(program->tracer, err);
	if (sent < 0)
		return -1;
	program->at_return = false;
	return await_event(program, toward_a_call, "made no socket call", timeout_ms, err);
}

int program_run_call(struct program *program, int timeout_ms, char **err)
{
	if (!program->at_call)
		return text_error(err, "no call of the program is held");
	if (tracer_release(program->tracer, program->call->task, err) < 0)
		return -1;
	program->at_call = false;
	return await_event(program, in_the_call, "call neither returned nor slept", timeout_ms,
			   err);
}

int program_check_woken(struct program *program, int timeout_ms, char **err)
{
	if (program->over)
		return PROGRAM_OVER;
	if (!program->blocked)
		return program->at_return ? PROGRAM_RETURNED : PROGRAM_HELD;
	if (tracer_request_settle(program->tracer, err) < 0)
		return -1;
	return await_event(program, woken_or_settled, "did not settle", timeout_ms, err);
}

int program_freeze(struct program *program, char **err)
{
	if (!program->tracer || program->over || !program->blocked)
		return 0;
	return tracer_freeze(program->tracer, err) < 0 ? -1 : 0;
}

void program_thaw(struct program *program)
{
	if (program->tracer && !program->over)
		tracer_thaw(program->tracer, NULL);
}
