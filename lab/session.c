/* session — runs steps on the sides and keeps the log and the snapshot
 * (session.h). Its parts: sides.c (names, fds, kinds), request.c,
 * host_ports.c, workdir.c, kernel_view.c (the probe's view), wire.c,
 * record.c (events), expect.c, observe.c (a program as a side). */
#include "session.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "expect.h"
#include "i18n.h"
#include "kernel_view.h"
#include "observe.h"
#include "record.h"
#include "request.h"
#include "session_parts.h"
#include "sides.h"
#include "wire.h"

/* ---- steps ------------------------------------------------------------ */

/* fork(): the side's process copies itself; the copy becomes the side the
 * call names, holding the same fds under the same names. Two events: the
 * parent's (the child's pid) and the child's (0). */
static int run_fork(struct session *session, const struct lesson_step *step, char **err)
{
	const struct typed_call *call = &step->call;
	struct side *parent = &session->sides[call->side];
	int target = (int)call->args[0].number;
	struct side *child = &session->sides[target];
	struct lab_event *event;
	if (child->puppet.pid > 0) {
		event = record_event(session, EVENT_NOT_RUN, call->side, call);
		if (!event)
			return text_error(err, "out of memory");
		record_failure(event, N_("%s:%d: %s exists already: fork() makes a new process"),
			       session->lesson->path, step->line, session->lesson->sides[target]);
		session->failure_count++;
		return 0;
	}
	int pair[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
		return text_error(err, "socketpair: %s", strerror(errno));
	int size = 2 * (int)sizeof(struct puppet_reply);
	setsockopt(pair[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
	setsockopt(pair[1], SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
	memset(&parent->request, 0, offsetof(struct puppet_request, bytes));
	parent->request.call = CALL_FORK;
	parent->request.fd = -1;
	int sent = puppet_send_with_fd(&parent->puppet, &parent->request, pair[1], err);
	close(pair[1]);
	if (sent < 0) {
		close(pair[0]);
		return -1;
	}
	if (puppet_wait(&parent->puppet, &session->reply, err) != PUPPET_IDLE) {
		close(pair[0]);
		return -1;
	}
	event = record_event(session, EVENT_RETURNED, call->side, call);
	if (!event) {
		close(pair[0]);
		return text_error(err, "out of memory");
	}
	record_arguments(event, call, &parent->request);
	event->ret = session->reply.ret;
	event->error = session->reply.error;
	if (session->reply.ret <= 0) {
		close(pair[0]);
		return 0;
	}
	puppet_adopt(&child->puppet, (pid_t)session->reply.ret, pair[0]);
	if (puppet_wait(&child->puppet, &session->reply, err) != PUPPET_IDLE)
		return -1;
	/* The child's fd table is a copy of the parent's. */
	memcpy(child->names, parent->names, sizeof child->names);
	child->name_count = parent->name_count;
	child->fd_count = child->kind_count = 0;
	for (int i = 0; i < parent->fd_count; i++)
		side_keep_fd(child, parent->fds[i].fd, parent->fds[i].inode);
	for (int i = 0; i < parent->kind_count; i++)
		side_set_kind(child, parent->kinds[i].fd, parent->kinds[i].family,
			      parent->kinds[i].type);
	memcpy(child->produced, parent->produced, sizeof child->produced);
	event = record_event(session, EVENT_RETURNED, target, call);
	if (!event)
		return text_error(err, "out of memory");
	event->fd_argument = -1;
	event->ret = session->reply.ret;
	return 0;
}

static int run_call(struct session *session, const struct lesson_step *step, char **err)
{
	const struct typed_call *call = &step->call;
	struct side *side = &session->sides[call->side];
	struct lab_event *event;
	/* A lesson about held segments means nothing where none can be held. */
	bool held_lesson = session->lesson->hold_segments && !session->lesson->hold_forced;
	if ((step->needs_private_netns && session->sandbox->kind != SANDBOX_NETNS)
	    || (held_lesson && !session->hold)) {
		event = record_event(session, EVENT_SKIPPED, call->side, call);
		return event ? 0 : text_error(err, "out of memory");
	}
	if (call->def->wire) {
		event = record_event(session, EVENT_RETURNED, call->side, call);
		if (!event)
			return text_error(err, "out of memory");
		record_arguments(event, call, &side->request);
		size_t index;
		int found = wire_find_held(session, call->side, event, &index, err);
		if (found < 0)
			return -1;
		if (!found) {
			event->ret = -1;
			record_failure(event,
				       N_("%s:%d: %s sent nothing that is held (waited 3 s)"),
				       session->lesson->path, step->line,
				       session->lesson->sides[call->side]);
			session->failure_count++;
			return 0;
		}
		struct held_segment released = *hold_peek(session->hold, index);
		if (call->def->id == CALL_DROP)
			return resend_drop_at(&session->resend, session->hold, index, err);
		if (resend_release_at(&session->resend, session->hold, index, true, err) < 0
		    || wire_await_answer(session, &released, err) < 0)
			return -1;
		return 0;
	}
	if (side->blocked) {
		event = record_event(session, EVENT_NOT_RUN, call->side, call);
		if (!event)
			return text_error(err, "out of memory");
		record_failure(event,
			       N_("%s:%d: %s is still blocked in %s: step another side first"),
			       session->lesson->path, step->line,
			       session->lesson->sides[call->side],
			       session->lesson->steps[side->blocked_step].call.text);
		session->failure_count++;
		return 0;
	}
	if (side->is_program) {
		if (!observe_programs_here(session)) {
			/* The program would run on the host's own ports. */
			event = record_event(session, EVENT_SKIPPED, call->side, call);
			return event ? 0 : text_error(err, "out of memory");
		}
		return observe_run_call(session, step, err);
	}
	if (side->puppet.pid <= 0) {
		event = record_event(session, EVENT_NOT_RUN, call->side, call);
		if (!event)
			return text_error(err, "out of memory");
		record_failure(event, N_("%s:%d: %s does not exist yet: a fork() step makes it"),
			       session->lesson->path, step->line,
			       session->lesson->sides[call->side]);
		session->failure_count++;
		return 0;
	}
	if (call->def->id == CALL_FORK)
		return run_fork(session, step, err);
	struct refusal refusal = { 0 };
	if (request_build(session, call, &side->request, &refusal, err) < 0)
		return -1;
	side_refuse_foreign_fds(side, &side->request, &refusal);
	if (refusal.error) {
		event = record_event(session, EVENT_RETURNED, call->side, call);
		if (!event)
			return text_error(err, "out of memory");
		record_arguments(event, call, &side->request);
		event->ret = -1;
		event->error = refusal.error;
		text_copy(event->refusal, sizeof event->refusal, refusal.why);
		return 0;
	}
	if (puppet_send(&side->puppet, &side->request, err) < 0)
		return -1;
	enum puppet_status status = puppet_wait(&side->puppet, &session->reply, err);
	if (status == PUPPET_DEAD)
		return -1;
	return record_outcome(session, side, call, status == PUPPET_BLOCKED, err);
}

int session_step(struct session *session, char **err)
{
	const struct lesson *lesson = session->lesson;
	session->info.step_count = lesson->step_count;   /* free play adds steps as it goes */
	if (session->steps_done >= lesson->step_count)
		return 1;
	const struct lesson_step *step = &lesson->steps[session->steps_done];
	int stepping = step->call.side;
	size_t first_event = session->event_count;
	bool frozen[LESSON_MAX_SIDES] = { false }, any_frozen = false;
	if (view_set_baseline(session, err) < 0)
		return -1;
	for (int s = 0; s < session->side_count && step->call.def->may_wake; s++) {
		if (s == stepping || !session->sides[s].blocked)
			continue;
		if (session->sides[s].is_program
			    ? program_freeze(&session->sides[s].program, err) < 0
			    : puppet_freeze(&session->sides[s].puppet, err) < 0)
			return -1;
		frozen[s] = any_frozen = true;
	}
	int result = run_call(session, step, err);
	size_t call_index = first_event;
	/* A program side the call woke though not frozen (its call cannot wake
	 * others: a kernel timer did) comes back before the kernel is read. */
	for (int s = 0; s < session->side_count && result == 0 && !any_frozen; s++)
		if (s != stepping && session->sides[s].is_program && session->sides[s].blocked
		    && record_woken_side(session, s, err) < 0)
			result = -1;
	/* What the call sent, or what the released segment caused, is queued
	 * (or delivered) before the first snapshot. */
	if (result == 0 && session->hold && hold_settle(session->hold, err) < 0)
		result = -1;
	if (result == 0 && session->events[call_index].kind == EVENT_SKIPPED) {
		/* Nothing ran: the snapshot stands, no expectation applies. */
		session->steps_done++;
		return view_copy_snapshot_to(session, first_event, session->event_count, err);
	}
	if (result == 0) {
		if (view_take_snapshot(session, err) < 0
		    || expect_settle(session, step, any_frozen ? PHASE_CALL : PHASE_ALL,
				     first_event, err) < 0
		    || wire_drain(session, &session->events[call_index], err) < 0)
			result = -1;   /* the lab failed: said, never swallowed */
		else
			result = view_copy_snapshot_to(session, first_event, session->event_count,
						       err);
	}
	if (result == 0 && wire_tidy_resends(session, &session->events[call_index], err) < 0)
		result = -1;
	if (result == 0)
		wire_describe_held(session, &session->events[call_index]);
	else
		result = -1;
	for (int s = 0; s < session->side_count; s++) {
		if (frozen[s] && session->sides[s].is_program)
			program_thaw(&session->sides[s].program);
		else if (frozen[s])
			puppet_thaw(&session->sides[s].puppet);
	}
	if (result < 0)
		return -1;
	expect_check_step(session, step, &session->events[call_index], first_event,
			  any_frozen ? PHASE_CALL : PHASE_ALL);
	if (any_frozen) {
		size_t woken_from = session->event_count;
		if (view_set_baseline(session, err) < 0 || record_woken(session, stepping, err) < 0)
			return -1;
		/* Nothing woke: the call's snapshot stands, unless a timer moves it on. */
		size_t copy_from = session->event_count > woken_from ? woken_from : first_event;
		if ((session->hold && hold_settle(session->hold, err) < 0)
		    || (session->event_count > woken_from && view_take_snapshot(session, err) < 0)
		    || expect_settle(session, step, PHASE_AFTER_WAKE, first_event, err) < 0
		    || wire_drain(session, &session->events[copy_from], err) < 0
		    || view_copy_snapshot_to(session, copy_from, session->event_count, err) < 0
		    || wire_tidy_resends(session, &session->events[copy_from], err) < 0)
			return -1;
		wire_describe_held(session, &session->events[copy_from]);
		expect_check_step(session, step, &session->events[call_index], first_event,
				  PHASE_AFTER_WAKE);
	}
	session->steps_done++;
	return 0;
}

int session_wire_next(struct session *session, bool drop, char **err)
{
	if (!session->hold || session->steps_done == 0)
		return 1;
	if (hold_collect(session->hold, err) < 0)
		return -1;
	char resent[sizeof session->events[0].resent] = "", resent_shown[sizeof resent] = "";
	if (resend_tidy(&session->resend, session->hold, !session->lesson->hold_forced,
			wire_held_sender, session,
			&(struct resend_said){ resent, resent_shown, sizeof resent }, err) < 0)
		return -1;
	if (hold_count(session->hold) == 0)
		return 1;
	const struct held_segment *segment = hold_peek(session->hold, 0);
	int side = wire_side_of_address(session, segment->family, &segment->source_address);
	struct typed_call call = { .side = side >= 0 ? side : 0,
				   .def = &catalog_calls[drop ? CALL_DROP : CALL_RELEASE],
				   .text = (char *)(drop ? "drop()" : "release()") };
	if (view_set_baseline(session, err) < 0)
		return -1;
	size_t first = session->event_count;
	struct lab_event *event = record_event(session, EVENT_RETURNED, call.side, &call);
	if (!event)
		return text_error(err, "out of memory");
	snprintf(event->resent, sizeof event->resent, "%s", resent);
	lab_event_keep_shown(&event->resent_shown, event->resent, resent_shown);
	struct held_segment released = *segment;
	if ((drop ? resend_drop_at(&session->resend, session->hold, 0, err)
		  : resend_release_at(&session->resend, session->hold, 0,
				      !session->lesson->hold_forced, err)) < 0
	    || (!drop && wire_await_answer(session, &released, err) < 0)
	    || hold_settle(session->hold, err) < 0 || record_woken(session, -1, err) < 0
	    || view_take_snapshot(session, err) < 0
	    || wire_drain(session, &session->events[first], err) < 0
	    || view_copy_snapshot_to(session, first, session->event_count, err) < 0)
		return -1;
	/* What is held now, said once: after the last of what the release caused. */
	if (wire_tidy_resends(session, &session->events[session->event_count - 1], err) < 0)
		return -1;
	wire_describe_held(session, &session->events[session->event_count - 1]);
	/* Part of the step on screen, as a woken call is. */
	for (size_t i = first; i < session->event_count; i++)
		session->events[i].step = session->steps_done;
	return 0;
}

int session_wire_fd(const struct session *session)
{
	return session->hold ? hold_fd(session->hold) : -1;
}

int session_wire_collect(struct session *session, char **err)
{
	return session->hold && hold_collect(session->hold, err) < 0 ? -1 : 0;
}

size_t session_program_fds(const struct session *session, int *fds)
{
	size_t count = 0;
	for (int s = 0; s < session->side_count; s++)
		if (session->sides[s].is_program && program_fd(&session->sides[s].program) >= 0)
			fds[count++] = program_fd(&session->sides[s].program);
	return count;
}

int session_serve_programs(struct session *session, char **err)
{
	for (int s = 0; s < session->side_count; s++)
		if (session->sides[s].is_program
		    && program_serve(&session->sides[s].program, err) < 0)
			return -1;
	return 0;
}

int session_wait(struct session *session, int ms, char **err)
{
	int64_t deadline = timed_now_us() + (int64_t)ms * 1000;
	for (int64_t left = deadline - timed_now_us(); left > 0; left = deadline - timed_now_us()) {
		/* The held segments' fd first, then the programs'. */
		struct pollfd fds[1 + LESSON_MAX_SIDES];
		int programs[LESSON_MAX_SIDES];
		nfds_t count = 0;
		if (session->hold)
			fds[count++] =
				(struct pollfd){ .fd = hold_fd(session->hold), .events = POLLIN };
		size_t program_count = session_program_fds(session, programs);
		for (size_t i = 0; i < program_count; i++)
			fds[count++] = (struct pollfd){ .fd = programs[i], .events = POLLIN };
		if (count == 0) {
			struct timespec tick = { .tv_sec = left / 1000000,
						 .tv_nsec = (long)(left % 1000000) * 1000 };
			nanosleep(&tick, NULL);
			break;
		}
		int ready = poll(fds, count, (int)((left + 999) / 1000));
		if (ready < 0 && errno != EINTR)
			return text_error(err, "poll: %s", strerror(errno));
		if (ready <= 0)
			continue;
		if (session->hold && session_wire_collect(session, err) < 0)
			return -1;
		if (program_count > 0 && session_serve_programs(session, err) < 0)
			return -1;
	}
	return 0;
}

int session_refresh(struct session *session, char **err)
{
	/* Keep the last step's change marks: compare with the same baseline. */
	struct lab_snapshot previous = session->snapshot;
	session->snapshot = (struct lab_snapshot){ 0 };
	int result = view_take_snapshot(session, err);
	if (result < 0) {
		lab_snapshot_done(&session->snapshot);
		session->snapshot = previous;
		return -1;
	}
	lab_snapshot_done(&previous);
	return 0;
}

/* ---- life ---------------------------------------------------------- */

static void stop_sides(struct session *session)
{
	for (int s = 0; s < session->side_count; s++) {
		puppet_stop(&session->sides[s].puppet);
		program_stop(&session->sides[s].program);
		free(session->sides[s].fds);
		free(session->sides[s].kinds);
		memset(&session->sides[s], 0, offsetof(struct side, request));
		session->sides[s].puppet.pid = -1;
		session->sides[s].puppet.channel = -1;
	}
}

static int start_sides(struct session *session, char **err)
{
	/* Puppets start in the lab's working directory; the controller goes
	 * back to where it was (a user's relative paths stay valid). */
	int here = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* Before leaving: the lesson's path may be relative to here. Only a
	 * lesson with programs needs it; a puppet's restart asks nothing more. */
	char lesson_dir[4096] = "";
	for (int s = 0; s < session->side_count && !lesson_dir[0]; s++)
		if (session->lesson->programs[s])
			observe_lesson_directory(session, lesson_dir, sizeof lesson_dir);
	if (session->workdir.fd >= 0 ? fchdir(session->workdir.fd) < 0
				     : chdir(session->workdir.path) < 0) {
		if (here >= 0)
			close(here);
		return text_error(err, "cannot enter the lab's working directory: %s",
				  strerror(errno));
	}
	int result = observe_start_programs(session, lesson_dir, err);
	/* A side a fork() makes has no process until then; a program is its own. */
	for (int s = 0; s < session->side_count && result == 0; s++)
		if (!session->lesson->forked[s] && !session->lesson->programs[s])
			/* The private path's user namespace allows chroot: into the
			 * tmpfs, or the temporary directory where fsopen() is missing. */
			result = session->sandbox->kind == SANDBOX_NETNS
				? puppet_start_confined(&session->sides[s].puppet, err)
				: puppet_start(&session->sides[s].puppet, err);
	for (int s = 0; s < session->side_count && result == 0; s++)
		if (!session->lesson->forked[s] && !session->lesson->programs[s])
			result = puppet_warm_up(&session->sides[s].puppet, err);
	if (here >= 0 ? fchdir(here) < 0 : chdir("/") < 0)
		result = text_error(err, "cannot go back to the working directory: %s",
				    strerror(errno));
	if (here >= 0)
		close(here);
	return result;
}

static void clear_log(struct session *session)
{
	for (size_t i = 0; i < session->event_count; i++)
		lab_event_done(&session->events[i]);
	session->event_count = 0;
	lab_snapshot_done(&session->snapshot);
	lab_snapshot_done(&session->baseline);
	tie_forget(session->tie);
	exact_forget(session->exact);
	session->events_probed = 0;
	session->steps_done = 0;
	session->failure_count = 0;
	timed_clear(&session->timed);
	resend_clear(&session->resend);
}

static void fill_info(struct session *session)
{
	struct run_info *info = &session->info;
	const struct lesson *lesson = session->lesson;
	memset(info, 0, sizeof *info);
	text_copy(info->lesson, sizeof info->lesson, lesson->name);
	text_copy(info->title, sizeof info->title, lesson->title ? lesson->title : "");
	text_copy(info->sandbox, sizeof info->sandbox, sandbox_describe(session->sandbox));
	info->side_count = lesson->side_count;
	memcpy(info->sides, lesson->sides, sizeof info->sides);
	info->step_count = lesson->step_count;
}

int session_new(struct session **out, const struct lesson *lesson, struct sandbox *sandbox,
		char **err)
{
	struct session *session = calloc(1, sizeof *session);
	if (session && (!(session->tie = tie_new()) || !(session->exact = exact_new()))) {
		tie_free(session->tie);
		free(session);
		session = NULL;
	}
	if (!session)
		return text_error(err, "out of memory");
	session->lesson = lesson;
	session->sandbox = sandbox;
	session->side_count = lesson->side_count;
	session->workdir.fd = -1;
	session->host_ports.free_port = sandbox_free_port;
	session->host_ports.info = &session->info;
	capture_batch_init(&session->batch);
	for (int s = 0; s < LESSON_MAX_SIDES; s++) {
		session->sides[s].puppet.pid = -1;
		session->sides[s].puppet.channel = -1;
	}
	fill_info(session);
	bool host = sandbox->kind == SANDBOX_HOST;
	if ((host && host_ports_map_lesson(&session->host_ports, lesson, err) < 0)
	    || workdir_make(&session->workdir, sandbox, err) < 0
	    || probe_open(&session->probe, err) < 0 || start_sides(session, err) < 0
	    || wire_open_hold(session, err) < 0) {
		session_free(session);
		return -1;
	}
	*out = session;
	return 0;
}

void session_set_interrupt(struct session *session, const volatile sig_atomic_t *flag)
{
	session->interrupt = flag;
}

void session_free(struct session *session)
{
	if (!session)
		return;
	stop_sides(session);
	hold_free(session->hold);
	capture_free(session->capture);
	capture_batch_done(&session->batch);
	capture_file_close(session->pcap, NULL);
	probe_free(session->probe);
	free(session->tie_fds);
	host_ports_done(&session->host_ports);
	probe_snapshot_done(&session->raw);
	clear_log(session);
	tie_free(session->tie);
	exact_free(session->exact);
	free(session->touched);
	free(session->events);
	workdir_done(&session->workdir, true);
	free(session);
}

int session_restart(struct session *session, char **err)
{
	stop_sides(session);
	clear_log(session);
	workdir_done(&session->workdir, false);
	probe_free(session->probe);
	session->probe = NULL;
	/* The capture and the hold belong to the old namespace's lo. */
	capture_free(session->capture);
	session->capture = NULL;
	hold_free(session->hold);
	session->hold = NULL;
	int port_map_count = session->info.port_map_count;
	typeof(session->info.port_map) port_map;
	memcpy(port_map, session->info.port_map, sizeof port_map);
	if (sandbox_renew(session->sandbox, err) < 0 || probe_open(&session->probe, err) < 0
	    || workdir_make(&session->workdir, session->sandbox, err) < 0)
		return -1;
	char wire[sizeof session->info.wire];
	memcpy(wire, session->info.wire, sizeof wire);
	fill_info(session);
	memcpy(session->info.wire, wire, sizeof wire);
	if (wire_open_capture(session, err) < 0 || wire_open_hold(session, err) < 0)
		return -1;
	/* Keep the host path's ports: the same lesson port maps the same way. */
	session->info.port_map_count = port_map_count;
	memcpy(session->info.port_map, port_map, sizeof port_map);
	return start_sides(session, err);
}

int session_goto(struct session *session, size_t steps_done, char **err)
{
	if (session_restart(session, err) < 0)
		return -1;
	while (session->steps_done < steps_done) {
		int result = session_step(session, err);
		if (result != 0)
			return result < 0 ? -1 : 0;
	}
	return 0;
}

size_t session_steps_done(const struct session *session)
{
	return session->steps_done;
}

const struct lesson *session_lesson(const struct session *session)
{
	return session->lesson;
}

const struct run_info *session_info(const struct session *session)
{
	return &session->info;
}

const struct lab_event *session_events(const struct session *session, size_t *count)
{
	*count = session->event_count;
	return session->events;
}

const struct lab_snapshot *session_snapshot(const struct session *session)
{
	return &session->snapshot;
}

const char *session_blocked_call(const struct session *session, int side)
{
	if (side < 0 || side >= session->side_count || !session->sides[side].blocked)
		return NULL;
	return session->lesson->steps[session->sides[side].blocked_step].call.text;
}

size_t session_failure_count(const struct session *session)
{
	return session->failure_count;
}

/* ---- a program as a side (observe.c) ------------------------------------ */

int session_observe(struct session *session, const struct observed_call *call, char **err)
{
	return observe_call(session, call, err);
}

int session_observe_process(struct session *session, const struct observed_process *observed,
			    char **err)
{
	return observe_process(session, observed, err);
}

void session_process_label(const struct session *session, int side, int process, char *out,
			   size_t size)
{
	observe_process_label(session, side, process, out, size);
}
