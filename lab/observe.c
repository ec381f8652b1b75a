/* observe — a program as a side: the lesson's program run under the
 * tracer, and a traced program's calls observed (observe.h). */
#include "observe.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "i18n.h"
#include "kernel_view.h"
#include "record.h"
#include "request.h"
#include "wire.h"

/* Programs run only in the private namespace: on the host, the tutorial's
 * server would take the machine's port 65432, which a lesson cannot map. */
bool observe_programs_here(const struct session *session)
{
	return session->sandbox->kind == SANDBOX_NETNS;
}


/* The calls a lesson may write for what a program's kernel call is: Python's
 * sendall() is sendto(), its recv() recvfrom(), a C program's write() on a
 * socket is send(). */
static int call_family(enum call_id id)
{
	switch (id) {
	case CALL_SEND:
	case CALL_SENDALL:
	case CALL_SENDTO:
		return CALL_SEND;
	case CALL_RECV:
	case CALL_RECVFROM:
		return CALL_RECV;
	default:
		return (int)id;
	}
}

static struct lab_event *program_not_run(struct session *session, const struct lesson_step *step,
					 const char *format, ...)
	__attribute__((format(printf, 3, 4)));
static struct lab_event *program_not_run(struct session *session, const struct lesson_step *step,
					 const char *format, ...)
{
	struct lab_event *event =
		record_event(session, EVENT_NOT_RUN, step->call.side, &step->call);
	if (!event)
		return NULL;
	/* The reason in English for the trace, and through its translation. */
	char why[600], why_shown[600], text[700], shown[700];
	va_list args, again;
	va_start(args, format);
	va_copy(again, args);
	vsnprintf(why, sizeof why, format, args);
	vsnprintf(why_shown, sizeof why_shown, _(format), again);
	va_end(again);
	va_end(args);
	snprintf(text, sizeof text, "%s:%d: %s", session->lesson->path, step->line, why);
	snprintf(shown, sizeof shown, "%s:%d: %s", session->lesson->path, step->line, why_shown);
	record_failure_said(event, text, shown);
	session->failure_count++;
	return event;
}

/* The side's program makes its next socket call, which must be the step's. */
int observe_run_call(struct session *session, const struct lesson_step *step, char **err)
{
	const struct typed_call *call = &step->call;
	struct side *side = &session->sides[call->side];
	struct program *program = &side->program;
	const char *name = session->lesson->sides[call->side];
	if (request_build(session, call, &side->request, NULL, err) < 0)
		return -1;
	int status = program_next_call(program, PROGRAM_TIMEOUT_MS, err);
	if (status < 0)
		return -1;
	if (status == PROGRAM_OVER)
		return program_not_run(session, step,
				       N_("%s's program has ended (%s): it makes no more calls"),
				       name, program->message)
			? 0
			: text_error(err, "out of memory");
	if (status == PROGRAM_ASLEEP)
		return program_not_run(session, step,
				       N_("%s's program sleeps outside its socket calls (%s)"),
				       name, program->message)
			? 0
			: text_error(err, "out of memory");
	const struct tracer_event *held = program->call;
	bool same = held->call >= 0
		&& call_family((enum call_id)held->call) == call_family(call->def->id)
		&& (side->request.fd < 0 || held->fd < 0 || held->fd == side->request.fd);
	if (!same)
		return program_not_run(session, step,
				       N_("%s's program makes %s here, not %s%s%s%s"), name,
				       held->text, call->text, held->line[0] ? " (" : "",
				       held->line, held->line[0] ? ")" : "")
			? 0
			: text_error(err, "out of memory");
	status = program_run_call(program, PROGRAM_TIMEOUT_MS, err);
	if (status < 0)
		return -1;
	if (status == PROGRAM_OVER)
		return program_not_run(session, step, N_("%s's program died in the call (%s)"),
				       name, program->message)
			? 0
			: text_error(err, "out of memory");
	if (status == PROGRAM_RETURNED)
		record_program_reply(program->returned, &session->reply);
	return record_outcome(session, side, call, status == PROGRAM_BLOCKED, err);
}

/* socketpair's two fds are the process's sockets from now on, the two
 * ends of one connection (each one's peer inode is the other's). */
static void observe_pair(struct side *side, const struct observed_call *observed,
			 struct lab_event *event)
{
	for (int k = 0; k < 2; k++)
		if (observed->pair[k] >= 0 && observed->pair_inodes[k])
			fdtable_add(&side->processes, observed->process, observed->pair[k],
				    (uint32_t)observed->pair_inodes[k], observed->family,
				    observed->type);
	event->aside = ASIDE_PAIR;
	event->aside_fds[0] = observed->pair[0];
	event->aside_fds[1] = observed->pair[1];
}

int observe_call(struct session *session, const struct observed_call *observed, char **err)
{
	if (observed->side < 0 || observed->side >= session->side_count
	    || observed->call >= CALL_COUNT)
		return text_error(err, "an observed call the lab cannot place");
	struct side *side = &session->sides[observed->side];
	if (!side->observed) {
		side->observed = true;
		fdtable_init(&side->processes, observed->process);
	}
	if (view_set_baseline(session, err) < 0)
		return -1;
	struct typed_call call = { .side = observed->side, .def = &catalog_calls[observed->call],
				   .text = (char *)observed->text };
	size_t first = session->event_count;
	struct lab_event *event = record_event(session, observed->kind, observed->side, &call);
	if (!event)
		return text_error(err, "out of memory");
	event->fd_argument = observed->fd;
	event->target =
		observed->target ? *observed->target : lab_address_of_kind(LAB_ADDRESS_EMPTY);
	if (observed->kind != EVENT_BLOCKED) {
		event->ret = observed->ret;
		event->error = observed->error;
		event->address = observed->address ? *observed->address
						   : lab_address_of_kind(LAB_ADDRESS_EMPTY);
		if (observed->bytes_len) {
			event->bytes = malloc(observed->bytes_len);
			if (!event->bytes)
				return text_error(err, "out of memory");
			memcpy(event->bytes, observed->bytes, observed->bytes_len);
			event->bytes_len = observed->bytes_len;
		}
		/* The process's fd table, from what its calls returned. */
		bool makes_socket = observed->call == CALL_SOCKET || observed->call == CALL_ACCEPT;
		if (makes_socket && observed->ret >= 0 && observed->result_inode)
			fdtable_add(&side->processes, observed->process, (int)observed->ret,
				    (uint32_t)observed->result_inode, observed->family,
				    observed->type);
		if (observed->call == CALL_SOCKETPAIR && observed->ret == 0)
			observe_pair(side, observed, event);
		if (observed->call == CALL_SENDMMSG || observed->call == CALL_RECVMMSG)
			event->value = (long)observed->message_bytes;
		bool child_holds = false;
		for (size_t i = 0; observed->call == CALL_FORK && i < side->processes.fd_count; i++)
			child_holds |= side->processes.fds[i].process == (pid_t)observed->ret;
		if (child_holds)
			event->aside = ASIDE_CHILD_COPIES;
		if (observed->call == CALL_CLOSE && observed->ret == 0
		    && fdtable_close(&side->processes, observed->process, observed->fd) > 0)
			event->aside = ASIDE_STILL_HELD;
	}
	if (fdtable_process_count(&side->processes) > 1)
		fdtable_label(&side->processes, observed->process,
			      session->lesson->sides[observed->side], event->who,
			      sizeof event->who);
	if (view_take_snapshot(session, err) < 0 || wire_drain(session, event, err) < 0
	    || view_copy_snapshot_to(session, first, session->event_count, err) < 0)
		return -1;
	session->steps_done++;
	session->info.step_count = session->steps_done;
	return 0;
}

int observe_process(struct session *session, const struct observed_process *observed, char **err)
{
	if (observed->side < 0 || observed->side >= session->side_count)
		return text_error(err, "an observed process the lab cannot place");
	struct side *side = &session->sides[observed->side];
	if (!side->observed) {
		side->observed = true;
		fdtable_init(&side->processes,
			     observed->kind == OBSERVED_FORK ? observed->parent
							     : observed->process);
	}
	if (observed->kind == OBSERVED_FORK)
		fdtable_fork(&side->processes, observed->parent, observed->process);
	else if (observed->kind == OBSERVED_EXEC)
		fdtable_exec(&side->processes, observed->process,
			     observed->command ? observed->command : "");
	else
		fdtable_exit(&side->processes, observed->process);
	return 0;
}

void observe_process_label(const struct session *session, int side, int process, char *out,
			   size_t size)
{
	const char *name =
		side >= 0 && side < session->side_count ? session->lesson->sides[side] : "?";
	if (side < 0 || side >= session->side_count || !session->sides[side].observed)
		snprintf(out, size, "%s", name);
	else
		fdtable_label(&session->sides[side].processes, process, name, out, size);
}

/* The lesson file's directory: a program's ./ and ../ words are named
 * from there (the program starts in the lab's working directory). */
void observe_lesson_directory(const struct session *session, char *out, size_t size)
{
	char dir[4096] = ".";
	const char *slash = strrchr(session->lesson->path, '/');
	if (slash)
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - session->lesson->path),
			 session->lesson->path);
	if (!realpath(dir, out))
		snprintf(out, size, "%s", dir);
}

/* Where the Python line reporter is: beside the lessons, else where
 * socklab keeps its examples (installed, then the source tree), so a
 * lesson anywhere gets lines and its interpreter's start-up told apart. */
static void program_examples(const char *lesson_dir, char *examples, size_t examples_size)
{
	const char *const candidates[] = { lesson_dir, SOCKLAB_LESSON_DIR,
					   SOCKLAB_SOURCE_LESSON_DIR };
	for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
		char reporter[4400];
		snprintf(examples, examples_size, "%s/../examples", candidates[i]);
		snprintf(reporter, sizeof reporter, "%.4200s/trace_python_lines.py", examples);
		if (access(reporter, R_OK) == 0)
			break;
	}
}

int observe_start_programs(struct session *session, const char *lesson_dir, char **err)
{
	for (int s = 0; s < session->side_count; s++) {
		const char *command = session->lesson->programs[s];
		session->sides[s].is_program = command != NULL;
		if (!command || !observe_programs_here(session))
			continue;
		/* The frontends ask first (consent.h); this is the last guard. */
		if (!session->lesson->programs_allowed)
			return text_error(err, "%s: the lesson's programs were not allowed to run",
					  session->lesson->sides[s]);
		char examples[4200];
		program_examples(lesson_dir, examples, sizeof examples);
		if (program_start(&session->sides[s].program, command, lesson_dir,
				  session->lesson->sides[s], examples, err) < 0)
			return -1;
	}
	return 0;
}
