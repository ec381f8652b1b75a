/* tracer — the lab as the tracer of a program: its tasks, their stops,
 * and the events they make, queued for the caller. */
#include "tracer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child_watch.h"
#include "i18n.h"
#include "inject.h"
#include "syscalls.h"
#include "tracer_spawn.h"

/* ---- what the caller asks, and what waits for it ---- */

enum request_type {
	REQUEST_RELEASE,   /* let `task` go on */
	REQUEST_SETTLE,    /* queue TRACER_SETTLED once the program is settled, even if
	                      it already is */
	REQUEST_FREEZE,    /* interrupt every task asleep in a socket call */
	REQUEST_THAW,      /* let the frozen tasks restart their calls */
};

/* An event waiting for tracer_poll. */
struct queued {
	uint32_t requests_seen;      /* requests handled when it was made: a SETTLED made
	                                before the latest one is out of date */
	struct tracer_event event;   /* last: only bytes_len of its bytes are kept */
};

static size_t queued_size(const struct queued *queued)
{
	return offsetof(struct queued, event.bytes) + queued->event.bytes_len;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static const char *const event_kind_names[TRACER_EVENT_KIND_COUNT] = {
	[TRACER_CALL] = "call",
	[TRACER_RETURNED] = "returned",
	[TRACER_BLOCKED] = "blocked",
	[TRACER_SETTLED] = "settled",
	[TRACER_OUTPUT] = "output",
	[TRACER_EXITED] = "exited",
	[TRACER_FORKED] = "forked",
	[TRACER_EXECED] = "execed",
};

const char *tracer_event_where(const struct tracer_event *event, char *out, size_t size)
{
	static const char *const words[] = {
		[TRACER_WAIT_NONE] = "",
		[TRACER_WAIT_HELD] = "held at ",
		[TRACER_WAIT_BLOCKED] = "blocked in ",
		[TRACER_WAIT_ASLEEP] = "asleep in ",
	};
	bool known = event->wait >= TRACER_WAIT_NONE && event->wait <= TRACER_WAIT_ASLEEP;
	snprintf(out, size, "%s%s", known ? words[event->wait] : "",
		 event->wait == TRACER_WAIT_NONE ? "" : event->message);
	return out;
}

const char *tracer_event_kind_name(enum tracer_event_kind kind)
{
	return (unsigned)kind < TRACER_EVENT_KIND_COUNT ? event_kind_names[kind] : "?";
}

/* ==== the traced tasks ==== */

enum task_state {
	TASK_NEW,          /* attached by the kernel on fork/clone; its first stop not seen yet */
	TASK_RUNNING,      /* runs free until its next traced call, signal or event */
	TASK_AT_CALL,      /* held at a shown call's entry */
	TASK_IN_CALL,      /* released with PTRACE_SYSCALL: the call runs, its exit will stop */
	TASK_AT_RETURN,    /* held at the call's exit */
	TASK_RESTARTING,   /* the call was interrupted (-ERESTART*); the kernel will run it again */
	TASK_FROZEN,       /* taken out of its call by REQUEST_FREEZE, at the exit stop; the call
	                      restarts on thaw */
	TASK_COPYING_FD,   /* in dup/dup2/dup3/fcntl on a socket fd, unshown: its exit stop
	                      watches the copy */
};

enum { WATCHED_FD_WORDS = 16 };   /* fds 0..1023 remembered; higher ones get a filter each time */

/* The /proc files a look at a task reads. They stay open while the task
 * lives: a look is then one pread each, not an open, a read and a close
 * (a settle check looks at each sleeper twice after every call). */
enum proc_file { PROC_STAT, PROC_STATUS, PROC_WCHAN, PROC_SYSCALL, PROC_FILE_COUNT };

static const char *const proc_file_names[PROC_FILE_COUNT] = {
	[PROC_STAT] = "stat",
	[PROC_STATUS] = "status",
	[PROC_WCHAN] = "wchan",
	[PROC_SYSCALL] = "syscall",
};

struct task {
	pid_t tid, tgid;
	enum task_state state;
	bool group_stopped;            /* in a group-stop (SIGSTOP from outside), parked with
	                                  PTRACE_LISTEN */
	bool freezing;                 /* PTRACE_INTERRUPT sent by a freeze, its
	                                  stop not seen yet */
	bool blocked_reported;         /* the current call was reported BLOCKED */
	bool made_socket_calls;        /* a leader: some thread of the process was shown a call
					* (the interpreter's start-up calls do not count) */
	bool resumed;                  /* let go in this turn: it has not run yet, so it is
	                                  not quiet whatever /proc says */
	bool startup;                  /* the call in flight is the interpreter's
	                                  start-up: not held */
	bool execed;                   /* a leader: ran execve since it was forked */
	pid_t parent;                  /* a leader: the process that forked it, 0 unknown */
	bool in_handler;               /* RESTARTING: a handler of the signal that cut the call
	                                  short runs, traced to its rt_sigreturn, which says
	                                  whether the call runs again or returns EINTR */
	bool at_sigreturn;             /* in_handler: the call in flight is rt_sigreturn */
	uint64_t child_ended_ns;       /* when the lab reaped a child process of this task's
	                                  process, 0 none since the task last stopped: the
	                                  kernel tells the parent (wakes its wait4, sends
	                                  SIGCHLD) a moment after the tracer's reap */
	const struct syscall_def *def; /* the call held or in flight */
	uint64_t args[SYSCALL_MAX_ARGS];
	uint64_t inode;                /* its fd's socket inode at entry */
	uint64_t released_ns;
	char text[TRACER_TEXT_MAX];    /* its entry text, for BLOCKED */
	struct lab_address target;     /* its address argument */
	char line[TRACER_LINE_MAX];    /* the last source line the program reported
	                                  for this thread */
	/* A leader: the fd numbers that have a filter of their own in the
	 * process's seccomp chain (inherited from the parent at fork). */
	uint64_t watched_fds[WATCHED_FD_WORDS];
	int proc_fds[PROC_FILE_COUNT]; /* its /proc files kept open (read_task_file), -1 not yet */
};

struct tracer {
	char label[64];                /* "server", in messages */
	pid_t program;                 /* its first process, and its process group */
	int watch_fd;                  /* child_watch: a task of ours may have news */
	int timer_fd;                  /* the next look at a released call is due */
	int poll_fd;                   /* epoll of all of them, for the caller: tracer_fd */
	bool timer_armed;
	bool one_cpu;                  /* the lab may run on one CPU only, as its programs do */
	bool moved;                    /* a stop, an end or a request since the last look */
	bool output_watched;           /* output_fd is in the epoll: the queue has room */
	int output_fd;                 /* the program's stdout and stderr, -1 once every
	                                  writer is gone */
	int line_fd;                   /* source lines from the program, -1 once closed */
	bool reports_lines;            /* TRACER_REPORTS_LINES */
	bool before_first_line;        /* TRACER_REPORTS_LINES, and no line reported yet */
	struct task *tasks;            /* owned, TRACER_MAX_TASKS of room */
	struct task_sample *samples;   /* owned, one per task: check_settled's first look */
	pid_t *scan;                   /* owned, one per task: the tids reap_events asks */
	size_t task_count;
	size_t tasks_added;            /* ever: a reap pass that added one needs another */
	size_t process_count;
	uint32_t requests_seen;        /* requests handled so far */
	bool settle_armed;             /* queue SETTLED when the program next is settled */
	bool freeze_waiting;           /* a freeze waits for tasks still freezing */
	long frozen_count;
	bool over;                     /* the program's last process exited */
	bool out_of_memory;            /* an event could not be queued: tracer_poll fails */
	char stop_reason[160];         /* why the lab killed the program, "" if it did not */
	uint64_t tick_ns;              /* how long to wait before asking /proc again */
	uint64_t last_look_ns;
	struct queued *building;       /* owned: the event being made */
	struct queued **queue;         /* owned: events made, for tracer_poll, oldest first */
	size_t queue_first, queue_count, queue_capacity;
	pid_t gone[32];                /* the tasks that ended last, newest at gone_next - 1 */
	size_t gone_next;
	char line_buffer[4096];        /* a line report not complete yet */
	char output[TRACER_MAX_BYTES]; /* what the program wrote, not sent yet: an
	                                  unfinished line */
	size_t output_len;
	size_t line_len;
};

#define TICK_MIN_NS 50000u         /* first look at a released call: 50 us */
#define TICK_MAX_NS 20000000u      /* then doubling up to 20 ms */
/* How long a task whose child process ended may read asleep before the
 * lab believes it: the parent's next stop (SIGCHLD, for a traced task,
 * always stops it unless blocked or SIG_IGN) ends the wait sooner. */
#define CHILD_NEWS_GRACE_NS 20000000u

/* The kernel's restart codes, seen at a syscall-exit stop when a signal
 * or PTRACE_INTERRUPT cut a call short; the program never sees them. */
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ERESTART_RESTARTBLOCK 516


/* Queues the event being made, for tracer_poll: one made in a turn is
 * returned by the tracer_poll that ran it; for one made by a request,
 * handle_request's poke makes tracer_fd readable. */
static void emit(struct tracer *tracer)
{
	struct queued *building = tracer->building;
	building->requests_seen = tracer->requests_seen;
	if (tracer->queue_count == tracer->queue_capacity) {
		size_t capacity = tracer->queue_capacity ? 2 * tracer->queue_capacity : 16;
		struct queued **queue = realloc(tracer->queue, capacity * sizeof *queue);
		if (!queue) {
			tracer->out_of_memory = true;
			return;
		}
		tracer->queue = queue;
		tracer->queue_capacity = capacity;
	}
	size_t size = queued_size(building);
	struct queued *copy = malloc(size);
	if (!copy) {
		tracer->out_of_memory = true;
		return;
	}
	memcpy(copy, building, size);
	tracer->queue[tracer->queue_count++] = copy;
}

/* A fresh event to make, everything but the bytes zeroed. */
static struct tracer_event *new_event(struct tracer *tracer, enum tracer_event_kind kind,
				      const struct task *task)
{
	struct tracer_event *event = &tracer->building->event;
	memset(event, 0, offsetof(struct tracer_event, bytes));
	event->kind = kind;
	event->fd = -1;
	event->call = -1;
	if (task) {
		event->task = task->tid;
		event->process = task->tgid;
	}
	return event;
}

/* Sends the first `len` bytes of the output buffer as one event. */
static void send_output(struct tracer *tracer, size_t len)
{
	struct tracer_event *event = new_event(tracer, TRACER_OUTPUT, NULL);
	event->process = tracer->program;
	memcpy(event->bytes, tracer->output, len);
	event->bytes_len = (uint32_t)len;
	emit(tracer);
	tracer->output_len -= len;
	memmove(tracer->output, tracer->output + len, tracer->output_len);
}

/* What the program wrote, a line an event: "Received b'Hello, world'"
 * arrives as one line however many write()s made it. `flush` sends an
 * unfinished line too (a prompt before a stop, the last words at exit);
 * a line longer than an event goes in parts. Output written before a stop
 * is sent before the stop's event. */
static void forward_output(struct tracer *tracer, bool flush)
{
	while (tracer->output_fd >= 0) {
		ssize_t n = read(tracer->output_fd, tracer->output + tracer->output_len,
				 sizeof tracer->output - tracer->output_len);
		if (n < 0 && errno == EINTR)
			continue;
		/* EAGAIN: nothing more for now. EIO: a pty whose program has
		 * closed every fd of it, its way of saying end of file. */
		if (n == 0 || (n < 0 && errno == EIO)) {
			close(tracer->output_fd);
			tracer->output_fd = -1;
			flush = true;
		}
		if (n > 0)
			tracer->output_len += (size_t)n;
		for (;;) {
			const char *newline = memchr(tracer->output, '\n', tracer->output_len);
			if (newline)
				send_output(tracer, (size_t)(newline - tracer->output) + 1);
			else if (tracer->output_len == sizeof tracer->output)
				send_output(tracer, tracer->output_len);
			else
				break;
		}
		if (n <= 0)
			break;
	}
	if (flush && tracer->output_len)
		send_output(tracer, tracer->output_len);
}

static struct task *find_task(struct tracer *tracer, pid_t tid)
{
	for (size_t i = 0; i < tracer->task_count; i++)
		if (tracer->tasks[i].tid == tid)
			return &tracer->tasks[i];
	return NULL;
}

/* Lines come as "TID FILE:LINE: SOURCE\n"; "TID -\n" says the program's own code is done. */
static void take_line(struct tracer *tracer, char *line)
{
	char *space = strchr(line, ' ');
	if (!space)
		return;
	*space = '\0';
	struct task *task = find_task(tracer, (pid_t)atoi(line));
	if (!task)
		return;
	tracer->before_first_line = false;
	if (strcmp(space + 1, "-") == 0)
		task->line[0] = '\0';
	else
		snprintf(task->line, sizeof task->line, "%s", space + 1);
}

static void read_lines(struct tracer *tracer)
{
	while (tracer->line_fd >= 0) {
		size_t room = sizeof tracer->line_buffer - tracer->line_len - 1;
		ssize_t n = read(tracer->line_fd, tracer->line_buffer + tracer->line_len, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return;
		if (n == 0) {
			close(tracer->line_fd);
			tracer->line_fd = -1;
			return;
		}
		tracer->line_len += (size_t)n;
		tracer->line_buffer[tracer->line_len] = '\0';
		char *start = tracer->line_buffer, *end;
		while ((end = strchr(start, '\n'))) {
			*end = '\0';
			take_line(tracer, start);
			start = end + 1;
		}
		tracer->line_len -= (size_t)(start - tracer->line_buffer);
		memmove(tracer->line_buffer, start, tracer->line_len);
		if (tracer->line_len == sizeof tracer->line_buffer - 1)
			tracer->line_len = 0;     /* a line longer than the buffer: drop it */
	}
}

/* A number of /proc/TID/status ("\nTgid:"), or `otherwise`. */
static pid_t status_pid(pid_t tid, const char *field, pid_t otherwise)
{
	char path[64], text[1024];
	snprintf(path, sizeof path, "/proc/%d/status", (int)tid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return otherwise;
	ssize_t n = read(fd, text, sizeof text - 1);
	close(fd);
	if (n <= 0)
		return otherwise;
	text[n] = '\0';
	const char *at = strstr(text, field);
	return at ? (pid_t)atoi(at + strlen(field)) : otherwise;
}

static pid_t tgid_of(pid_t tid)
{
	return status_pid(tid, "\nTgid:", tid);
}

/* What the kernel says a task is doing. */
struct task_sample {
	char state;              /* from /proc/TID/stat: 'R', 'S', 'D', 't', ...; '?' unreadable */
	long syscall;            /* asleep ('S', 'D'): the system call it sleeps in, from
	                            /proc/TID/syscall; else -1 */
	unsigned long switches;  /* context switches so far (with_switches only): unchanged
	                            means it never ran */
};

static ssize_t read_proc(pid_t tid, const char *name, char *text, size_t size)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/%s", (int)tid, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, text, size - 1);
	close(fd);
	text[n > 0 ? n : 0] = '\0';
	return n;
}

/* One of the task's /proc files, read from its start; opened at the first
 * look, or each time when the lab is out of fds (a program with
 * hundreds of threads). */
static size_t kept_proc_files;   /* by every tracer of the lab: they share its fd table */

/* Whether another /proc file may stay open: the lab keeps half its fds,
 * less a margin, for everything else it opens (under `ulimit -n 64`, none). */
static bool may_keep_proc_file(void)
{
	static size_t budget = SIZE_MAX;
	if (budget == SIZE_MAX) {
		struct rlimit limit;
		budget = getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur > 128
				 ? (size_t)(limit.rlim_cur - 128) / 2
				 : 0;
	}
	return kept_proc_files < budget;
}

static ssize_t read_task_file(struct task *task, enum proc_file file, char *text, size_t size)
{
	int *kept = &task->proc_fds[file];
	if (*kept < 0) {
		if (!may_keep_proc_file())
			return read_proc(task->tid, proc_file_names[file], text, size);
		char path[64];
		snprintf(path, sizeof path, "/proc/%d/%s", (int)task->tid, proc_file_names[file]);
		*kept = open(path, O_RDONLY | O_CLOEXEC);
		if (*kept < 0)
			return read_proc(task->tid, proc_file_names[file], text, size);
		kept_proc_files++;
	}
	ssize_t n = pread(*kept, text, size - 1, 0);
	text[n > 0 ? n : 0] = '\0';
	return n;
}

static void close_task_files(struct task *task)
{
	for (int file = 0; file < PROC_FILE_COUNT; file++) {
		if (task->proc_fds[file] >= 0) {
			close(task->proc_fds[file]);
			kept_proc_files--;
		}
		task->proc_fds[file] = -1;
	}
}

static unsigned long status_number(const char *status, const char *field)
{
	const char *at = strstr(status, field);
	return at ? strtoul(at + strlen(field), NULL, 10) : 0;
}

#define SWITCHES_UNKNOWN ULONG_MAX

/* The task's context switches so far, from /proc/TID/status. */
static unsigned long task_switches(struct task *task)
{
	char text[2048];
	if (read_task_file(task, PROC_STATUS, text, sizeof text) <= 0)
		return SWITCHES_UNKNOWN;
	return status_number(text, "\nvoluntary_ctxt_switches:")
	       + status_number(text, "\nnonvoluntary_ctxt_switches:");
}

/* What the kernel says `task` does. /proc/TID/syscall is read even for a
 * task known to be inside a call: only it says "running" of a task that
 * reads 'S' but is still on the run queue (woken, or preempted on its way
 * to sleep), whose wait channel then reads "0". */
static void sample_task(struct task *task, bool with_switches, struct task_sample *sample)
{
	char text[2048];
	sample->state = '?';
	sample->syscall = -1;
	sample->switches = 0;
	if (read_task_file(task, PROC_STAT, text, sizeof text) <= 0)
		return;
	const char *close_paren = strrchr(text, ')');
	if (!close_paren || close_paren[1] != ' ')
		return;
	sample->state = close_paren[2];
	if (sample->state != 'S' && sample->state != 'D')
		return;
	if (with_switches)
		sample->switches = task_switches(task);
	/* A task on its way into a ptrace stop reads 'S' for a moment, with
	 * the call's number in /proc/TID/syscall: a call that returned at
	 * once would look asleep in it. Its wait channel tells. Asleep is
	 * said only with every file read: a file the lab could not open (out
	 * of fds) leaves the task unknown, and unknown is not quiet. */
	if (read_task_file(task, PROC_WCHAN, text, sizeof text) < 0) {
		sample->state = '?';
		return;
	}
	if (strncmp(text, "ptrace_stop", 11) == 0) {
		sample->state = 't';
		return;
	}
	if (read_task_file(task, PROC_SYSCALL, text, sizeof text) <= 0)
		sample->state = '?';
	else if (strncmp(text, "running", 7) == 0)
		sample->state = 'R';
	else
		sample->syscall = strtol(text, NULL, 10);
}

static void resume(struct task *task, enum __ptrace_request how, int signal)
{
	/* In a handler followed to its rt_sigreturn, every resumption keeps
	 * following it (a second signal's stop too), or in_handler would
	 * outlive the handler and hide the program's next socket call. */
	if (task->in_handler && how == PTRACE_CONT)
		how = PTRACE_SYSCALL;
	/* ESRCH: the task died (SIGKILL) while stopped; its exit is on its way. */
	ptrace(how, task->tid, 0, (void *)(uintptr_t)signal);
	task->resumed = true;
}

static void kill_program(struct tracer *tracer, const char *reason)
{
	if (!tracer->stop_reason[0])
		snprintf(tracer->stop_reason, sizeof tracer->stop_reason, "%s", reason);
	for (size_t i = 0; i < tracer->task_count; i++)
		kill(tracer->tasks[i].tgid, SIGKILL);
}

static void read_command_line(pid_t pid, char *out, size_t size);

static struct task *add_task(struct tracer *tracer, pid_t tid, pid_t tgid, pid_t parent)
{
	if (tid == tgid && tracer->process_count >= TRACER_MAX_PROCESSES) {
		kill(tid, SIGKILL);
		kill_program(tracer, "stopped by the lab: the program started more than "
			     "64 processes (the lab's cap)");
		return NULL;
	}
	if (tracer->task_count >= TRACER_MAX_TASKS) {
		kill(tgid, SIGKILL);
		kill_program(tracer, "stopped by the lab: the program started more than "
			     "512 threads (the lab's cap)");
		return NULL;
	}
	struct task *task = &tracer->tasks[tracer->task_count++];
	tracer->tasks_added++;
	memset(task, 0, sizeof *task);
	task->tid = tid;
	task->tgid = tgid;
	task->state = TASK_NEW;
	if (tid == tgid)
		tracer->process_count++;
	task->parent = parent;
	for (int file = 0; file < PROC_FILE_COUNT; file++)
		task->proc_fds[file] = -1;
	return task;
}

/* A process's first shown call: the process is of note from now on, and
 * reported (FORKED, then EXECED if it ran another program since), before
 * the call. The processes a program runs without sockets (a shell's
 * subshells, a launcher such as pyenv's) come and go unreported. */
static void announce(struct tracer *tracer, struct task *leader)
{
	leader->made_socket_calls = true;
	if (leader->tid == tracer->program)
		return;
	forward_output(tracer, true);
	struct tracer_event *event = new_event(tracer, TRACER_FORKED, leader);
	event->parent = leader->parent ? leader->parent
				       : status_pid(leader->tid, "\nPPid:", tracer->program);
	emit(tracer);
	if (leader->execed) {
		event = new_event(tracer, TRACER_EXECED, leader);
		read_command_line(leader->tid, event->text, sizeof event->text);
		emit(tracer);
	}
}

static void remove_task(struct tracer *tracer, struct task *task)
{
	if (task->tid == task->tgid)
		tracer->process_count--;
	close_task_files(task);
	*task = tracer->tasks[--tracer->task_count];
}

static void send_exited(struct tracer *tracer, pid_t process, int status)
{
	forward_output(tracer, true);
	struct tracer_event *event = new_event(tracer, TRACER_EXITED, NULL);
	event->task = event->process = process;
	event->program_over = tracer->task_count == 0;
	if (WIFEXITED(status)) {
		event->exit_code = WEXITSTATUS(status);
		snprintf(event->message, sizeof event->message, _("exited with code %d"),
			 event->exit_code);
	} else {
		const char *name = sigabbrev_np(WTERMSIG(status));
		event->exit_code = -1;
		event->signal = WTERMSIG(status);
		snprintf(event->message, sizeof event->message, _("killed by SIG%s"),
			 name ? name : "?");
	}
	if (tracer->stop_reason[0])
		snprintf(event->message, sizeof event->message, "%s", tracer->stop_reason);
	emit(tracer);
	if (event->program_over)
		tracer->over = true;
}

/* Whether `tid` ended a moment ago: a child that exits at once can be
 * reaped before its parent's fork event is read. */
static bool just_gone(const struct tracer *tracer, pid_t tid)
{
	for (size_t i = 0; i < sizeof tracer->gone / sizeof tracer->gone[0]; i++)
		if (tracer->gone[i] == tid)
			return true;
	return false;
}

static void task_exited(struct tracer *tracer, struct task *task, int status)
{
	tracer->gone[tracer->gone_next++ % (sizeof tracer->gone / sizeof tracer->gone[0])] =
		task->tid;
	pid_t process = task->tgid, parent = task->parent;
	bool leader = task->tid == task->tgid;
	bool of_note = task->made_socket_calls || process == tracer->program;
	remove_task(tracer, task);
	if (!leader)
		return;                  /* a thread: the process goes on */
	/* Its parent hears of it after this reap: until then it may read
	 * asleep in wait4 while its wake is on the way. */
	uint64_t now = now_ns();
	for (size_t i = 0; i < tracer->task_count; i++)
		if (parent > 0 && tracer->tasks[i].tgid == parent)
			tracer->tasks[i].child_ended_ns = now;
	/* The kernel reports a leader only after all its threads. */
	for (size_t i = tracer->task_count; i-- > 0;)
		if (tracer->tasks[i].tgid == process)
			remove_task(tracer, &tracer->tasks[i]);
	/* The helpers a program runs without sockets (a shell's subshells, a
	 * launcher such as pyenv's) come and go unreported. */
	if (of_note || tracer->task_count == 0)
		send_exited(tracer, process, status);
}

static bool get_syscall_info(struct task *task, struct __ptrace_syscall_info *info)
{
	long size = ptrace(PTRACE_GET_SYSCALL_INFO, task->tid, (void *)sizeof *info, info);
	return size > 0;
}

/* The event for the task's current call, filled from what the task kept. */
static struct tracer_event *call_event(struct tracer *tracer, enum tracer_event_kind kind,
				       struct task *task)
{
	struct tracer_event *event = new_event(tracer, kind, task);
	event->syscall = task->def->number;
	snprintf(event->name, sizeof event->name, "%s", task->def->name);
	event->call = task->def->call;
	event->fd = task->def->fd_arg >= 0 ? (int)task->args[task->def->fd_arg] : -1;
	event->inode = task->inode;
	memcpy(event->text, task->text, sizeof event->text);
	event->target = task->target;
	memcpy(event->line, task->line, sizeof event->line);
	event->bytes_len = 0;
	return event;
}

/* The call a signal cut short returned -1 EINTR to the program. */
static void emit_interrupted(struct tracer *tracer, struct task *task)
{
	struct tracer_event *event = call_event(tracer, TRACER_RETURNED, task);
	event->ret = -1;
	event->error = EINTR;
	event->woke = task->blocked_reported;
	size_t len = strlen(event->text);
	snprintf(event->text + len, sizeof event->text - len, " = -1 EINTR (%s)",
		 strerror(EINTR));
	emit(tracer);
}

/* A seccomp stop: a call of the table is about to run. */
static void at_call_entry(struct tracer *tracer, struct task *task)
{
	struct __ptrace_syscall_info info;
	if (!get_syscall_info(task, &info) || info.op != PTRACE_SYSCALL_INFO_SECCOMP) {
		resume(task, PTRACE_CONT, 0);
		return;
	}
	const struct syscall_def *def = info.seccomp.ret_data < syscalls_count
		? &syscalls_table[info.seccomp.ret_data] : NULL;
	if (!def || def->number != (long)info.seccomp.nr) {
		resume(task, PTRACE_CONT, 0);
		return;
	}
	if (task->state == TASK_RESTARTING && task->def == def) {
		/* The kernel runs the interrupted call again: the same call to the
		 * student, already shown and released. */
		task->state = TASK_IN_CALL;
		resume(task, PTRACE_SYSCALL, 0);
		return;
	}
	if (def->show == SHOW_NEVER && task->state != TASK_RESTARTING
	    && syscalls_copies_socket_fd(def, task->tid, info.seccomp.args)) {
		task->def = def;
		task->state = TASK_COPYING_FD;
		resume(task, PTRACE_SYSCALL, 0);
		return;
	}
	uint64_t inode;
	if (!syscalls_is_shown(def, task->tid, info.seccomp.args, &inode)) {
		/* A signal handler's write to a pipe does not end a restart. */
		if (task->state != TASK_RESTARTING)
			task->state = TASK_RUNNING;
		resume(task, PTRACE_CONT, 0);
		return;
	}
	/* The lines a reporter wrote before this call (only a reporter writes them). */
	if (tracer->reports_lines)
		read_lines(tracer);
	forward_output(tracer, true);
	if (task->state == TASK_RESTARTING)
		/* The interrupted call was not run again: a handler without
		 * SA_RESTART ran, and the program saw EINTR. */
		emit_interrupted(tracer, task);
	/* A launcher's helper (pyenv's shim runs bash, which asks nscd for
	 * the user) calls before the script's first line: not the program. */
	struct task *leader = find_task(tracer, task->tgid);
	if (leader && !tracer->before_first_line && !leader->made_socket_calls)
		announce(tracer, leader);
	task->def = def;
	memcpy(task->args, info.seccomp.args, sizeof task->args);
	task->state = TASK_AT_CALL;
	task->blocked_reported = false;
	task->startup = tracer->before_first_line;
	struct tracer_event *event = new_event(tracer, TRACER_CALL, task);
	event->held = true;
	event->inode = inode;
	syscalls_decode_entry(def, task->tid, task->args, event);
	memcpy(event->line, task->line, sizeof event->line);
	task->inode = event->inode;
	memcpy(task->text, event->text, sizeof task->text);
	task->target = event->target;
	if (task->startup) {
		/* Not the program's call: it runs at once, reported at its return. */
		task->state = TASK_IN_CALL;
		task->released_ns = now_ns();
		resume(task, PTRACE_SYSCALL, 0);
		return;
	}
	emit(tracer);
}

static bool is_restart(long error)
{
	return error == ERESTARTSYS || error == ERESTARTNOINTR || error == ERESTARTNOHAND;
}

static void handle_status(struct tracer *tracer, pid_t tid, int status);

/* Gives socket fd `fd` a seccomp filter of its own, once per process and
 * fd number. Returns false when the task ended meanwhile (handled). */
static bool watch_fd(struct tracer *tracer, struct task *task, int fd)
{
	struct task *leader = find_task(tracer, task->tgid);
	bool known = fd >= 0 && fd < 64 * WATCHED_FD_WORDS;
	uint64_t bit = known ? 1ull << (fd % 64) : 0;
	if (fd < 0 || (known && leader && (leader->watched_fds[fd / 64] & bit)))
		return true;
	int status = 0;
	const char *why = "";
	pid_t tid = task->tid;
	switch (inject_fd_filter(tid, task->tgid, fd, &status, &why)) {
	case INJECT_DONE:
		if (known && leader)
			leader->watched_fds[fd / 64] |= bit;
		return true;
	case INJECT_FAILED: {
		/* Its reads and writes would go unseen: a transcript with holes
		 * is worse than none. */
		char reason[160];
		snprintf(reason, sizeof reason,
			 _("the lab could not watch socket fd %d of the program (%s)"), fd, why);
		kill_program(tracer, reason);
		return true;
	}
	case INJECT_GONE:
		handle_status(tracer, tid, status);
		return false;
	}
	return true;
}

/* The fds a call that returned made (socket, accept, socketpair), each
 * watched from now on. Returns false when the task ended meanwhile. */
static bool watch_new_fds(struct tracer *tracer, struct task *task, long ret)
{
	if (!inject_supported() || ret < 0)
		return true;
	if (task->def->returns_fd)
		return watch_fd(tracer, task, (int)ret);
	for (int a = 0; a < task->def->arg_count; a++)
		if (task->def->args[a] == SA_FD_PAIR) {
			int pair[2];
			if (syscalls_read_memory(task->tid, task->args[a], pair,
						 sizeof pair) != sizeof pair)
				return true;
			return watch_fd(tracer, task, pair[0]) && watch_fd(tracer, task, pair[1]);
		}
	return true;
}

/* A syscall-exit stop: the released call returned (or was cut short). */
static void at_call_exit(struct tracer *tracer, struct task *task)
{
	struct __ptrace_syscall_info info;
	if (task->state == TASK_COPYING_FD) {
		task->state = TASK_RUNNING;
		if (get_syscall_info(task, &info) && info.op == PTRACE_SYSCALL_INFO_EXIT
		    && !info.exit.is_error && !watch_fd(tracer, task, (int)info.exit.rval))
			return;          /* the task is gone, and handled */
		resume(task, PTRACE_CONT, 0);
		return;
	}
	if (task->state != TASK_IN_CALL || !get_syscall_info(task, &info)
	    || info.op != PTRACE_SYSCALL_INFO_EXIT) {
		resume(task, PTRACE_CONT, 0);
		return;
	}
	long error = info.exit.is_error ? -info.exit.rval : 0;
	if (is_restart(error)) {
		/* A signal or our PTRACE_INTERRUPT cut the sleep short; the kernel
		 * runs the call again once the signal is handled or the stop ends. */
		task->state = TASK_RESTARTING;
		if (task->freezing) {
			/* This stop is the interrupt's: out of the call, held until thawed. */
			task->freezing = false;
			task->state = TASK_FROZEN;
			tracer->frozen_count++;
			return;
		}
		resume(task, PTRACE_CONT, 0);
		return;
	}
	if (!info.exit.is_error && !watch_new_fds(tracer, task, info.exit.rval))
		return;                  /* the task is gone, and handled */
	forward_output(tracer, true);
	bool interrupted_for_good = error == ERESTART_RESTARTBLOCK;
	struct tracer_event *event = call_event(tracer, TRACER_RETURNED, task);
	event->held = true;
	/* poll/select cut short go on in restart_syscall, which is not traced:
	 * shown as EINTR, which is what the program would see with a handler. */
	syscalls_decode_exit(task->def, task->tid, task->args,
			     info.exit.is_error ? -1 : (long)info.exit.rval,
			     interrupted_for_good ? EINTR : (int)error, event);
	event->woke = task->blocked_reported;
	event->elapsed_ns = now_ns() - task->released_ns;
	task->state = TASK_AT_RETURN;
	task->freezing = false;      /* it returned before the interrupt caught it: held
	                                here all the same */
	if (task->startup) {
		event->held = false;
		event->startup = true;
		task->startup = false;
		task->state = TASK_RUNNING;
		emit(tracer);
		resume(task, PTRACE_CONT, 0);
		return;
	}
	emit(tracer);
}

/* Whether the task's process has a handler for `signal` (/proc: SigCgt). */
static bool catches(struct task *task, int signal)
{
	char text[2048];
	if (signal <= 0 || signal > 64 || read_task_file(task, PROC_STATUS, text, sizeof text) <= 0)
		return false;
	const char *at = strstr(text, "\nSigCgt:");
	return at && (strtoull(at + strlen("\nSigCgt:"), NULL, 16) >> (signal - 1) & 1);
}

/* A syscall stop in the handler of a signal that cut a call short (see
 * in_handler). The handler's own calls go on; at rt_sigreturn's return the
 * registers are the program's again: the call's number (rewound, with
 * SA_RESTART) means the kernel runs it again, -EINTR that the program sees
 * the call fail. */
static void at_handler_stop(struct tracer *tracer, struct task *task)
{
	struct __ptrace_syscall_info info;
	if (!get_syscall_info(task, &info)) {
		resume(task, PTRACE_SYSCALL, 0);
		return;
	}
	if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
		task->at_sigreturn = info.entry.nr == SYS_rt_sigreturn;
		resume(task, PTRACE_SYSCALL, 0);
		return;
	}
	if (info.op != PTRACE_SYSCALL_INFO_EXIT || !task->at_sigreturn) {
		resume(task, PTRACE_SYSCALL, 0);
		return;
	}
	task->in_handler = task->at_sigreturn = false;
	if (info.exit.rval == -EINTR) {
		forward_output(tracer, true);
		emit_interrupted(tracer, task);
		task->state = TASK_RUNNING;
	}
	resume(task, PTRACE_CONT, 0);
}

static void at_new_task(struct tracer *tracer, struct task *parent)
{
	unsigned long tid = 0;
	ptrace(PTRACE_GETEVENTMSG, parent->tid, 0, &tid);
	struct task *child = tid ? find_task(tracer, (pid_t)tid) : NULL;
	if (tid && !child && !just_gone(tracer, (pid_t)tid))
		child = add_task(tracer, (pid_t)tid, tgid_of((pid_t)tid), parent->tgid);
	else if (child && child->tid == child->tgid && child->tgid != parent->tgid)
		child->parent = parent->tgid;    /* its first stop came first */
	/* A new process inherits its parent's filters: the same fds are watched. */
	const struct task *parent_leader = find_task(tracer, parent->tgid);
	if (child && parent_leader && child->tgid != parent->tgid && child->tid == child->tgid)
		for (int i = 0; i < WATCHED_FD_WORDS; i++)
			child->watched_fds[i] |= parent_leader->watched_fds[i];
	resume(parent, PTRACE_CONT, 0);
}

/* /proc/PID/cmdline as one line, its words parted by spaces. */
static void read_command_line(pid_t pid, char *out, size_t size)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
	out[0] = '\0';
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, out, size - 1);
	close(fd);
	if (n <= 0) {
		out[0] = '\0';
		return;
	}
	while (n > 0 && out[n - 1] == '\0')
		n--;
	for (ssize_t i = 0; i < n; i++)
		if (out[i] == '\0' || out[i] == '\n')
			out[i] = ' ';
	out[n] = '\0';
}

static void at_exec(struct tracer *tracer, struct task *task)
{
	/* waitpid reports the exec under the leader's tid, which the thread
	 * that called execve has taken; every other thread of the process is
	 * gone. */
	pid_t tid = task->tid, tgid = task->tgid;
	for (size_t i = tracer->task_count; i-- > 0;) {
		struct task *other = &tracer->tasks[i];
		if (other->tgid == tgid && other->tid != tid)
			remove_task(tracer, other);
	}
	task = find_task(tracer, tid);
	if (!task)
		return;
	close_task_files(task);   /* the tid may now be another thread's: look afresh */
	task->state = TASK_RUNNING;
	task->line[0] = '\0';
	task->execed = true;
	if (task->made_socket_calls) {
		/* A process already shown runs another program: its fds stay. */
		forward_output(tracer, true);
		struct tracer_event *event = new_event(tracer, TRACER_EXECED, task);
		read_command_line(tgid, event->text, sizeof event->text);
		emit(tracer);
	}
	resume(task, PTRACE_CONT, 0);
}

static void at_event_stop(struct task *task, int signal)
{
	if (signal == SIGSTOP || signal == SIGTSTP || signal == SIGTTIN || signal == SIGTTOU) {
		/* Group-stop: someone stopped the program. Park it; SIGCONT ends it. */
		task->group_stopped = true;
		ptrace(PTRACE_LISTEN, task->tid, 0, 0);
		return;
	}
	task->group_stopped = false;
	/* A new task's first stop, the end of a group-stop, or a freeze's
	 * interrupt that came after the call it was meant for had returned
	 * (nothing left to hold: the call's own exit stop holds it). */
	task->freezing = false;
	if (task->state == TASK_NEW)
		task->state = TASK_RUNNING;
	resume(task, PTRACE_CONT, 0);
}

static void handle_status(struct tracer *tracer, pid_t tid, int status)
{
	struct task *task = find_task(tracer, tid);
	tracer->settle_armed = true;
	tracer->tick_ns = TICK_MIN_NS;
	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		if (task)
			task_exited(tracer, task, status);
		return;
	}
	if (!WIFSTOPPED(status))
		return;
	if (task)
		task->child_ended_ns = 0;     /* it ran since: any news of a child was taken */
	if (!task) {
		/* A new child's first stop can come before its parent's fork event. */
		task = add_task(tracer, tid, tgid_of(tid), 0);
		if (!task)
			return;
	}
	int signal = WSTOPSIG(status);
	if (signal == (SIGTRAP | 0x80)) {
		if (task->in_handler)
			at_handler_stop(tracer, task);
		else
			at_call_exit(tracer, task);
		return;
	}
	if (task->in_handler && status >> 16 == PTRACE_EVENT_SECCOMP) {
		/* A socket call of the handler itself: not shown, let run. */
		resume(task, PTRACE_SYSCALL, 0);
		return;
	}
	switch (status >> 16) {
	case PTRACE_EVENT_SECCOMP:
		at_call_entry(tracer, task);
		return;
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		at_new_task(tracer, task);
		return;
	case PTRACE_EVENT_EXEC:
		at_exec(tracer, task);
		return;
	case PTRACE_EVENT_STOP:
		at_event_stop(task, signal);
		return;
	case 0:
		/* A signal on its way to the program: deliver it. One that cut a
		 * call short and has a handler: followed through the handler. */
		if (task->state == TASK_RESTARTING && !task->in_handler && catches(task, signal)) {
			task->in_handler = true;
			task->at_sigreturn = false;
			resume(task, PTRACE_SYSCALL, signal);
			return;
		}
		resume(task, PTRACE_CONT, signal);
		return;
	default:
		resume(task, PTRACE_CONT, 0);
	}
}

/* Takes every stop and end of our tasks: each known task by its tid (the
 * lab's other children, puppets, are not ours to reap), then, when a task
 * ended or the SIGCHLD was nobody's known, whatever is left in the
 * program's process group. That finds a task the kernel attached whose
 * parent's fork or clone event a SIGKILL took away (it would hold its
 * process's end back for ever; the parent's death is the known end that
 * sends us looking), and a process handed to the lab, the reaper of
 * orphans, after it was waited for as a tracee. A task added in a pass may
 * have stopped already: another pass asks it. A task that stops again
 * after its turn sends another SIGCHLD. */
static void reap_events(struct tracer *tracer)
{
	pid_t *tids = tracer->scan;
	for (size_t added = tracer->tasks_added - 1; added != tracer->tasks_added;) {
		added = tracer->tasks_added;
		bool ended = false, found = false;
		size_t count = tracer->task_count;
		for (size_t i = 0; i < count; i++)
			tids[i] = tracer->tasks[i].tid;
		for (size_t i = 0; i < count; i++) {
			int status;
			pid_t got;
			do
				got = waitpid(tids[i], &status, WNOHANG | __WALL);
			while (got < 0 && errno == EINTR);
			struct task *task = got < 0 ? find_task(tracer, tids[i]) : NULL;
			found |= got > 0;
			ended |= got > 0 && (WIFEXITED(status) || WIFSIGNALED(status));
			if (got > 0)
				handle_status(tracer, tids[i], status);
			else if (task)
				/* ECHILD: gone without a word, which the kernel never does
				 * to a tracer; dropped, so that the program still ends. */
				task_exited(tracer, task, 0);
		}
		/* With no task left the group is gone, and its number may be another's. */
		while ((ended || !found) && tracer->task_count > 0) {
			int status;
			pid_t got = waitpid(-tracer->program, &status, WNOHANG | __WALL);
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0)
				break;
			handle_status(tracer, got, status);
		}
	}
}

/* A released call found asleep in the kernel is reported BLOCKED, once. */
static void report_if_asleep(struct tracer *tracer, struct task *task)
{
	struct task_sample sample;
	sample_task(task, false, &sample);
	if (sample.state != 'S' || sample.syscall != task->def->number)
		return;
	task->blocked_reported = true;
	forward_output(tracer, true);
	call_event(tracer, TRACER_BLOCKED, task);
	emit(tracer);
}

static void check_in_flight(struct tracer *tracer)
{
	for (size_t i = 0; i < tracer->task_count; i++) {
		struct task *task = &tracer->tasks[i];
		if (task->state == TASK_IN_CALL && !task->blocked_reported)
			report_if_asleep(tracer, task);
	}
}

/* Whether the kernel may not yet have told the task's process that a child
 * of it ended (see child_ended_ns): what /proc says of it is not news yet. */
static bool awaits_child_news(struct task *task)
{
	if (task->child_ended_ns && now_ns() - task->child_ended_ns >= CHILD_NEWS_GRACE_NS)
		task->child_ended_ns = 0;
	return task->child_ended_ns != 0;
}

/* Whether a task, seen from outside, is waiting: held in a ptrace stop,
 * asleep in its released call, or asleep outside socket calls. Counts it,
 * and keeps the sample of a sleeper (with its context switches when
 * `with_switches`: /proc/TID/status is the dearest file of a look). */
static bool task_is_quiet(struct task *task, bool with_switches, struct task_sample *sample,
			  unsigned counts[3])
{
	sample->state = 't';
	if (task->group_stopped) {
		counts[2]++;
		return true;
	}
	switch (task->state) {
	case TASK_AT_CALL:
	case TASK_AT_RETURN:
	case TASK_FROZEN:
		counts[0]++;
		return true;
	case TASK_IN_CALL:
		/* Not reported asleep yet, running, or woken by the kernel: its exit
		 * stop is coming. */
		if (!task->blocked_reported || awaits_child_news(task))
			return false;
		sample_task(task, with_switches, sample);
		counts[1]++;
		return sample->state == 'S' && sample->syscall == task->def->number;
	case TASK_RUNNING:
	case TASK_RESTARTING:     /* a handler runs, or the program saw EINTR and went elsewhere */
		if (task->resumed || awaits_child_news(task))
			return false;
		sample_task(task, with_switches, sample);
		counts[2]++;
		return sample->state == 'S';
	case TASK_NEW:
	case TASK_COPYING_FD:    /* its exit stop is coming */
		return false;
	}
	return false;
}

/* Settled: every task held, asleep in a socket call, or asleep elsewhere;
 * nothing happens until the lab releases one or the kernel wakes one.
 * One look at each task is not enough: a task seen asleep may be woken
 * by one seen after it. So every sleeper is looked at twice: asleep both
 * times, with no context switch between, means all of them slept at the
 * moment between the two passes, when nothing of the program ran. A lone
 * sleeper (every other task held in a stop, where it cannot run) slept
 * at the moment of its one look: once is enough, and its context switches
 * are not read. With several, each one's switches are read after that
 * first pass; asleep in the same call at the second look with no switch
 * since, it slept from the read to the look, and every read comes before
 * every second look. Neither look sees a wake the lab itself set going:
 * a parent whose child the lab has just reaped still reads asleep in
 * wait4 for a moment, so it is no sleeper until it has stopped again
 * (awaits_child_news). */
static void check_settled(struct tracer *tracer)
{
	if (!tracer->settle_armed || tracer->over || tracer->freeze_waiting)
		return;
	unsigned counts[3] = { 0, 0, 0 }, again[3] = { 0, 0, 0 };
	struct task_sample *first = tracer->samples, second;
	size_t sleepers = 0;
	for (size_t i = 0; i < tracer->task_count; i++) {
		if (!task_is_quiet(&tracer->tasks[i], false, &first[i], counts))
			return;
		sleepers += first[i].state != 't';
	}
	for (size_t i = 0; i < tracer->task_count && sleepers > 1; i++)
		if (first[i].state != 't')
			first[i].switches = task_switches(&tracer->tasks[i]);
	for (size_t i = 0; i < tracer->task_count && sleepers > 1; i++) {
		if (first[i].state == 't')
			continue;
		if (!task_is_quiet(&tracer->tasks[i], true, &second, again)
		    || second.state != first[i].state || second.syscall != first[i].syscall
		    || second.switches != first[i].switches || second.switches == SWITCHES_UNKNOWN)
			return;
	}
	/* Where it waits, most telling first: a call held for the caller, a
	 * socket call asleep, then anything else asleep. */
	char where[160] = "";
	enum tracer_wait wait = TRACER_WAIT_NONE;
	for (int pass = 0; pass < 3 && wait == TRACER_WAIT_NONE; pass++) {
		for (size_t i = 0; i < tracer->task_count && wait == TRACER_WAIT_NONE; i++) {
			const struct task *task = &tracer->tasks[i];
			char number[32];
			bool held = task->state == TASK_AT_CALL || task->state == TASK_AT_RETURN
				|| task->state == TASK_FROZEN;
			if (pass == 0 && held && !task->group_stopped) {
				wait = TRACER_WAIT_HELD;
				snprintf(where, sizeof where, "%s", task->def->name);
			} else if (pass == 1 && task->state == TASK_IN_CALL) {
				wait = TRACER_WAIT_BLOCKED;
				snprintf(where, sizeof where, "%s", task->def->name);
			} else if (pass == 2 && first[i].state == 'S') {
				wait = TRACER_WAIT_ASLEEP;
				snprintf(where, sizeof where, "%s",
					 syscalls_any_name(first[i].syscall, number,
							   sizeof number));
			}
		}
	}
	forward_output(tracer, true);
	struct tracer_event *event = new_event(tracer, TRACER_SETTLED, NULL);
	event->process = tracer->program;
	event->held_count = counts[0];
	event->blocked_count = counts[1];
	event->asleep_count = counts[2];
	event->wait = wait;
	snprintf(event->message, sizeof event->message, "%s", where);
	tracer->settle_armed = false;
	emit(tracer);
}

static void check_frozen(struct tracer *tracer)
{
	if (!tracer->freeze_waiting)
		return;
	for (size_t i = 0; i < tracer->task_count; i++)
		if (tracer->tasks[i].freezing)
			return;
	tracer->freeze_waiting = false;
}

static void release_task(struct tracer *tracer, pid_t tid)
{
	struct task *task = find_task(tracer, tid);
	if (task && task->state == TASK_AT_CALL) {
		task->state = TASK_IN_CALL;
		task->released_ns = now_ns();
		resume(task, PTRACE_SYSCALL, 0);
		/* On one CPU with the lab (step pins both), a yield lets the call
		 * run until it returns or sleeps: a call that sleeps is seen now,
		 * not a tick later with the CPU idle meanwhile. */
		if (tracer->one_cpu) {
			sched_yield();
			/* Back already (most calls): its exit stop is taken now. */
			int status;
			pid_t got = waitpid(tid, &status, WNOHANG | __WALL);
			if (got > 0)
				handle_status(tracer, tid, status);
			else if (got == 0)
				report_if_asleep(tracer, task);
		}
	} else if (task && task->state == TASK_AT_RETURN) {
		task->state = TASK_RUNNING;
		resume(task, PTRACE_CONT, 0);
	}
}

static void arm_settle(struct tracer *tracer, pid_t tid)
{
	(void)tracer;             /* handle_request arms it for every request */
	(void)tid;
}

static void freeze_tasks(struct tracer *tracer, pid_t tid)
{
	(void)tid;
	tracer->frozen_count = 0;
	tracer->freeze_waiting = true;
	for (size_t i = 0; i < tracer->task_count; i++) {
		struct task *task = &tracer->tasks[i];
		if (task->state == TASK_IN_CALL && task->blocked_reported && !task->freezing
		    && ptrace(PTRACE_INTERRUPT, task->tid, 0, 0) == 0)
			task->freezing = true;
	}
}

static void thaw_tasks(struct tracer *tracer, pid_t tid)
{
	(void)tid;
	for (size_t i = 0; i < tracer->task_count; i++) {
		struct task *task = &tracer->tasks[i];
		if (task->state == TASK_FROZEN) {
			task->state = TASK_RESTARTING;
			resume(task, PTRACE_CONT, 0);
		}
	}
}

typedef void request_handler(struct tracer *tracer, pid_t task);

static request_handler *const request_handlers[] = {
	[REQUEST_RELEASE] = release_task,
	[REQUEST_SETTLE] = arm_settle,
	[REQUEST_FREEZE] = freeze_tasks,
	[REQUEST_THAW] = thaw_tasks,
};
_Static_assert(sizeof request_handlers / sizeof request_handlers[0] == REQUEST_THAW + 1,
	       "a handler per request");

/* A request changes what the program may do: the next turn looks again
 * (a SETTLED asked of a program already settled comes from that look). */
static void handle_request(struct tracer *tracer, enum request_type type, pid_t task)
{
	tracer->requests_seen++;
	tracer->moved = true;
	tracer->settle_armed = true;
	tracer->tick_ns = TICK_MIN_NS;
	request_handlers[type](tracer, task);
	child_watch_poke(tracer->watch_fd);
}

static bool has_work(const struct tracer *tracer)
{
	if (tracer->over)
		return false;             /* nothing left to look at */
	if (tracer->settle_armed || tracer->freeze_waiting)
		return true;
	for (size_t i = 0; i < tracer->task_count; i++)
		if (tracer->tasks[i].state == TASK_IN_CALL && !tracer->tasks[i].blocked_reported)
			return true;
	return false;
}

/* Every task waits in a ptrace stop (or a group stop): settled, as the
 * tracer itself knows, with no look at /proc and no tick to wait for. */
static bool all_held(const struct tracer *tracer)
{
	for (size_t i = 0; i < tracer->task_count; i++) {
		const struct task *task = &tracer->tasks[i];
		if (!task->group_stopped && task->state != TASK_AT_CALL
		    && task->state != TASK_AT_RETURN && task->state != TASK_FROZEN)
			return false;
	}
	return tracer->task_count > 0;
}

/* What tracer_fd's epoll holds, by the tag each fd is added with. */
enum source { SOURCE_SIGNAL, SOURCE_WATCH, SOURCE_TIMER, SOURCE_OUTPUT, SOURCE_LINES };

/* Events waiting beyond which the program's output is not read: a program
 * that prints without end, served (tracer_serve) but not asked, then waits
 * in write() on a full terminal as it would under a shell nobody reads. */
enum { QUEUE_OUTPUT_MAX = 256 };

static int add_source(struct tracer *tracer, int fd, enum source source)
{
	struct epoll_event event = { .events = EPOLLIN, .data.u32 = source };
	return fd < 0 ? 0 : epoll_ctl(tracer->poll_fd, EPOLL_CTL_ADD, fd, &event);
}

/* Reads the output while the queue has room, so that tracer_fd is not
 * readable for output nobody can take. */
static void watch_output(struct tracer *tracer)
{
	bool room = tracer->queue_count - tracer->queue_first < QUEUE_OUTPUT_MAX;
	if (tracer->output_fd < 0 || room == tracer->output_watched)
		return;
	if (room)
		add_source(tracer, tracer->output_fd, SOURCE_OUTPUT);
	else
		epoll_ctl(tracer->poll_fd, EPOLL_CTL_DEL, tracer->output_fd, NULL);
	tracer->output_watched = room;
}

/* The next look at a released call, TICK_MIN_NS after the last news and
 * doubling while nothing happens; none when nothing is in flight. */
static void set_timer(struct tracer *tracer)
{
	bool wanted = has_work(tracer);
	if (!wanted && !tracer->timer_armed)
		return;
	struct itimerspec when = { 0 };
	if (wanted)
		when.it_value.tv_nsec = (long)tracer->tick_ns;
	timerfd_settime(tracer->timer_fd, 0, &when, NULL);
	tracer->timer_armed = wanted;
}

/* One pass over what is ready, without waiting: stops and ends, output,
 * source lines, and, when the tick is due, a look at /proc for calls that
 * sleep and for a program that has settled. What it finds is queued. */
static void turn(struct tracer *tracer)
{
	struct epoll_event ready[8];
	int count = epoll_wait(tracer->poll_fd, ready, 8, 0);
	bool news = false, fired = false, output = false, lines = false;
	for (int i = 0; i < count; i++) {
		switch ((enum source)ready[i].data.u32) {
		case SOURCE_SIGNAL:
		case SOURCE_WATCH:
			news = true;
			break;
		case SOURCE_TIMER: {
			uint64_t expired;
			fired = read(tracer->timer_fd, &expired, sizeof expired) == sizeof expired;
			break;
		}
		case SOURCE_OUTPUT:
			output = true;
			break;
		case SOURCE_LINES:
			lines = true;
			break;
		}
	}
	if (fired) {
		tracer->timer_armed = false;
		if (tracer->tick_ns < TICK_MAX_NS)
			tracer->tick_ns *= 2;
	}
	/* Stops first: a stop drains the lines and output written before it. */
	for (size_t i = 0; i < tracer->task_count; i++)
		tracer->tasks[i].resumed = false;
	if (news && child_watch_take(tracer->watch_fd)) {
		tracer->moved = true;
		reap_events(tracer);
	}
	if (lines)
		read_lines(tracer);
	if (output && tracer->output_watched)
		forward_output(tracer, false);
	check_frozen(tracer);
	/* Asking /proc costs more than a stop: only once things are quiet (a
	 * tick with nothing to do), or every TICK_MAX_NS when they never are.
	 * On one CPU with the program, after something moved, a yield lets every
	 * task of it that can run do so until it stops or sleeps: things are
	 * quiet when it returns, or /proc says who still runs. */
	uint64_t now = now_ns();
	bool look = fired || now - tracer->last_look_ns >= TICK_MAX_NS;
	if (!look && tracer->one_cpu && tracer->moved && has_work(tracer)
	    && !(tracer->settle_armed && all_held(tracer))) {
		sched_yield();
		for (size_t i = 0; i < tracer->task_count; i++)
			tracer->tasks[i].resumed = false;
		look = true;
	}
	if (look) {
		tracer->last_look_ns = now;
		tracer->moved = false;
		check_in_flight(tracer);
		check_settled(tracer);
	} else if (tracer->settle_armed && all_held(tracer)) {
		check_settled(tracer);
	}
	set_timer(tracer);
	watch_output(tracer);
}

/* Kills every process of the program and reaps them: the program's
 * process group (every process it started that stayed in it, known or not
 * yet), then each known task outside it (a daemon's setsid). A task stuck
 * in the kernel past 2 s is left to PTRACE_O_EXITKILL at the lab's exit. */
static void kill_and_reap(struct tracer *tracer)
{
	/* With no task left the group is gone, and its number may be another's. */
	if (tracer->program <= 0 || tracer->task_count == 0)
		return;
	kill(-tracer->program, SIGKILL);
	for (size_t i = 0; i < tracer->task_count; i++)
		kill(tracer->tasks[i].tgid, SIGKILL);
	uint64_t deadline = now_ns() + 2000000000u;
	for (;;) {
		int status;
		pid_t got = waitpid(-tracer->program, &status, WNOHANG | __WALL);
		if (got > 0) {
			struct task *task = find_task(tracer, got);
			if (task && (WIFEXITED(status) || WIFSIGNALED(status)))
				remove_task(tracer, task);
			continue;
		}
		bool dying = got == 0;    /* some of the group not dead yet */
		for (size_t i = tracer->task_count; i-- > 0;) {
			got = waitpid(tracer->tasks[i].tid, &status, WNOHANG | __WALL);
			if (got < 0 || (got > 0 && (WIFEXITED(status) || WIFSIGNALED(status))))
				remove_task(tracer, &tracer->tasks[i]);
			else
				dying = true;
		}
		if (!dying || now_ns() > deadline)
			break;
		/* Dying takes the kernel a moment. */
		nanosleep(&(struct timespec){ .tv_nsec = 200000 }, NULL);
	}
	while (tracer->task_count > 0)
		remove_task(tracer, &tracer->tasks[tracer->task_count - 1]);
	tracer->program = 0;
}

/* ==== the caller's side ==== */

int tracer_start(struct tracer **out, char *const argv[], const char *label, unsigned flags,
		 char **err)
{
	*out = NULL;
	if (!argv || !argv[0])
		return text_error(err, "%s: no program to run", label);
	struct tracer *tracer = calloc(1, sizeof *tracer);
	if (!tracer)
		return text_error(err, "%s: out of memory", label);
	snprintf(tracer->label, sizeof tracer->label, "%s", label);
	tracer->output_fd = tracer->line_fd = -1;
	tracer->watch_fd = tracer->timer_fd = tracer->poll_fd = -1;
	tracer->reports_lines = tracer->before_first_line = flags & TRACER_REPORTS_LINES;
	tracer->tick_ns = TICK_MIN_NS;
	tracer->settle_armed = true;
	tracer->last_look_ns = now_ns();
	cpu_set_t cpus;
	tracer->one_cpu = sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_COUNT(&cpus) == 1;
	tracer->building = malloc(sizeof *tracer->building);
	tracer->tasks = calloc(TRACER_MAX_TASKS, sizeof *tracer->tasks);
	tracer->samples = calloc(TRACER_MAX_TASKS, sizeof *tracer->samples);
	tracer->scan = calloc(TRACER_MAX_TASKS, sizeof *tracer->scan);
	if (!tracer->building || !tracer->tasks || !tracer->samples || !tracer->scan) {
		tracer_free(tracer);
		return text_error(err, "%s: out of memory", label);
	}
	memset(tracer->building, 0, offsetof(struct queued, event.bytes));
	tracer->watch_fd = child_watch_open();
	tracer->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	tracer->poll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (tracer->watch_fd < 0 || tracer->timer_fd < 0 || tracer->poll_fd < 0) {
		text_error(err, "%s: cannot watch the program: %s", label, strerror(errno));
		tracer_free(tracer);
		return -1;
	}
	char reason[TRACER_TEXT_MAX];
	struct spawned spawned;
	if (tracer_spawn(argv, label, &spawned, reason, sizeof reason) < 0) {
		text_error(err, "%s", reason);
		tracer_free(tracer);
		return -1;
	}
	tracer->program = spawned.pid;
	tracer->output_fd = spawned.output_fd;
	tracer->line_fd = spawned.line_fd;
	add_task(tracer, spawned.pid, spawned.pid, 0)->state = TASK_RUNNING;
	if (add_source(tracer, child_watch_signal_fd(), SOURCE_SIGNAL) < 0
	    || add_source(tracer, tracer->watch_fd, SOURCE_WATCH) < 0
	    || add_source(tracer, tracer->timer_fd, SOURCE_TIMER) < 0
	    || add_source(tracer, tracer->line_fd, SOURCE_LINES) < 0) {
		text_error(err, "%s: epoll_ctl: %s", label, strerror(errno));
		tracer_free(tracer);
		return -1;
	}
	watch_output(tracer);
	/* The program runs: the first turn looks at it. */
	child_watch_poke(tracer->watch_fd);
	*out = tracer;
	return 0;
}

pid_t tracer_pid(const struct tracer *tracer)
{
	return tracer->program;
}

int tracer_fd(const struct tracer *tracer)
{
	return tracer->poll_fd;
}

/* The oldest queued event, taken out; NULL when none. */
static struct queued *take_queued(struct tracer *tracer)
{
	if (tracer->queue_first == tracer->queue_count)
		return NULL;
	struct queued *first = tracer->queue[tracer->queue_first++];
	if (tracer->queue_first == tracer->queue_count)
		tracer->queue_first = tracer->queue_count = 0;
	watch_output(tracer);
	return first;
}

/* A SETTLED made before the caller's latest request is out of date. */
static bool is_news(const struct tracer *tracer, const struct queued *queued)
{
	return queued->event.kind != TRACER_SETTLED
		|| queued->requests_seen == tracer->requests_seen;
}

static int take_news(struct tracer *tracer, struct tracer_event *event)
{
	struct queued *queued;
	while ((queued = take_queued(tracer))) {
		bool news = is_news(tracer, queued);
		if (news)
			memcpy(event, &queued->event,
			       offsetof(struct tracer_event, bytes) + queued->event.bytes_len);
		free(queued);
		if (news)
			return 1;
	}
	return 0;
}

#define PF_EXITING_FLAG 0x00000004u    /* the kernel's PF_EXITING (include/linux/sched.h) */

bool tracer_exiting(struct tracer *tracer)
{
	for (size_t i = 0; i < tracer->task_count; i++) {
		struct task *task = &tracer->tasks[i];
		char text[2048];
		if (task->tid != task->tgid
		    || read_task_file(task, PROC_STAT, text, sizeof text) <= 0)
			continue;
		/* "PID (COMM) STATE PPID PGRP SESSION TTY TPGID FLAGS ..." */
		const char *at = strrchr(text, ')');
		unsigned flags = 0;
		if (at && sscanf(at + 1, " %*c %*d %*d %*d %*d %*d %u", &flags) == 1
		    && (flags & PF_EXITING_FLAG))
			return true;
	}
	return false;
}

int tracer_poll(struct tracer *tracer, struct tracer_event *event, char **err)
{
	if (take_news(tracer, event))
		return 1;
	if (tracer->poll_fd < 0)
		return 0;
	turn(tracer);
	if (tracer->out_of_memory)
		return text_error(err, "%s: out of memory", tracer->label);
	return take_news(tracer, event);
}

int tracer_serve(struct tracer *tracer, char **err)
{
	if (tracer->poll_fd < 0)
		return 0;
	turn(tracer);
	return tracer->out_of_memory ? text_error(err, "%s: out of memory", tracer->label) : 0;
}

static int remaining_ms(uint64_t deadline)
{
	uint64_t now = now_ns();
	if (now >= deadline)
		return 0;
	uint64_t left = (deadline - now + 999999) / 1000000;
	return left > 1000000000 ? 1000000000 : (int)left;
}

static int wait_readable(struct tracer *tracer, int timeout_ms)
{
	struct pollfd pfd = { .fd = tracer->poll_fd, .events = POLLIN };
	int ready;
	do
		ready = poll(&pfd, 1, timeout_ms);
	while (ready < 0 && errno == EINTR);
	return ready;
}

int tracer_wait(struct tracer *tracer, struct tracer_event *event, int timeout_ms, char **err)
{
	uint64_t deadline =
		timeout_ms < 0 ? UINT64_MAX : now_ns() + (uint64_t)timeout_ms * 1000000u;
	for (;;) {
		int got = tracer_poll(tracer, event, err);
		if (got != 0 || tracer->poll_fd < 0 || tracer->over)
			return got;
		int left = timeout_ms < 0 ? -1 : remaining_ms(deadline);
		if (left == 0 || wait_readable(tracer, left) == 0)
			return 0;
	}
}

static int request(struct tracer *tracer, enum request_type type, pid_t task, char **err)
{
	if (tracer->poll_fd < 0)
		return text_error(err, "%s: the tracer has stopped", tracer->label);
	handle_request(tracer, type, task);
	return 0;
}

int tracer_request_settle(struct tracer *tracer, char **err)
{
	return request(tracer, REQUEST_SETTLE, 0, err);
}

int tracer_release(struct tracer *tracer, pid_t task, char **err)
{
	return request(tracer, REQUEST_RELEASE, task, err);
}

int tracer_run_until_blocked_or_exit(struct tracer *tracer, tracer_event_fn *each, void *context,
				     int timeout_ms, char **err)
{
	if (tracer->over)
		return TRACER_RUN_OVER;
	struct tracer_event *event = malloc(sizeof *event);
	if (!event)
		return text_error(err, "%s: out of memory", tracer->label);
	uint64_t deadline =
		timeout_ms < 0 ? UINT64_MAX : now_ns() + (uint64_t)timeout_ms * 1000000u;
	int result = request(tracer, REQUEST_SETTLE, 0, err) < 0 ? -1 : TRACER_RUN_TIMEOUT;
	while (result == TRACER_RUN_TIMEOUT) {
		int left = timeout_ms < 0 ? -1 : remaining_ms(deadline);
		int got = left == 0 ? 0 : tracer_wait(tracer, event, left, err);
		if (got < 0) {
			result = -1;
			break;
		}
		if (got == 0) {
			if (tracer->over)
				result = TRACER_RUN_OVER;
			if (tracer->over || left == 0 || remaining_ms(deadline) == 0)
				break;
			continue;
		}
		if (each)
			each(event, context);
		if (event->held && tracer_release(tracer, event->task, err) < 0)
			result = -1;
		else if (event->kind == TRACER_SETTLED && event->held_count == 0)
			result = TRACER_RUN_SETTLED;
		else if (event->kind == TRACER_EXITED && event->program_over)
			result = TRACER_RUN_OVER;
	}
	free(event);
	return result;
}

int tracer_freeze(struct tracer *tracer, char **err)
{
	if (tracer->over || tracer->poll_fd < 0)
		return 0;
	handle_request(tracer, REQUEST_FREEZE, 0);
	uint64_t deadline = now_ns() + 5000000000u;
	for (;;) {
		/* Events that come meanwhile stay queued for tracer_poll. */
		turn(tracer);
		if (tracer->out_of_memory)
			return text_error(err, "%s: out of memory", tracer->label);
		if (!tracer->freeze_waiting)
			break;
		int left = remaining_ms(deadline);
		if (left == 0 || wait_readable(tracer, left) == 0)
			return text_error(err, "%s: the program did not stop within 5 s",
					  tracer->label);
	}
	if (tracer->queue_count > tracer->queue_first)
		child_watch_poke(tracer->watch_fd);
	return (int)tracer->frozen_count;
}

int tracer_thaw(struct tracer *tracer, char **err)
{
	if (tracer->over || tracer->poll_fd < 0)
		return 0;
	return request(tracer, REQUEST_THAW, 0, err);
}

void tracer_stop(struct tracer *tracer)
{
	if (!tracer)
		return;
	kill_and_reap(tracer);
	int *fds[] = { &tracer->output_fd, &tracer->line_fd, &tracer->timer_fd, &tracer->poll_fd };
	for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
	if (tracer->watch_fd >= 0)
		child_watch_close(tracer->watch_fd);
	tracer->watch_fd = -1;
	struct queued *queued;
	while ((queued = take_queued(tracer)))
		free(queued);
	tracer->over = true;
}

void tracer_free(struct tracer *tracer)
{
	if (!tracer)
		return;
	tracer_stop(tracer);
	free(tracer->queue);
	free(tracer->building);
	free(tracer->tasks);
	free(tracer->samples);
	free(tracer->scan);
	free(tracer);
}

/* Interpreter options that take a value in the next argument. */
static const char *const python_options_with_value[] = { "-W", "-X", "--check-hash-based-pycs" };

static bool is_python(const char *program)
{
	const char *base = strrchr(program, '/');
	base = base ? base + 1 : program;
	return strncmp(base, "python", 6) == 0;
}

int tracer_python_argv(char *const argv[], const char *reporter_path, char ***out, char **err)
{
	*out = NULL;
	if (!argv || !argv[0] || !is_python(argv[0]))
		return 0;
	size_t count = 0, script = 0;
	while (argv[count])
		count++;
	for (size_t i = 1; i < count && !script; i++) {
		const char *arg = argv[i];
		if (arg[0] != '-') {
			script = i;
			break;
		}
		if (strcmp(arg, "-c") == 0 || strcmp(arg, "-m") == 0 || strcmp(arg, "-") == 0)
			return 0;             /* no script file to run under the reporter */
		for (size_t k = 0;
		     k < sizeof python_options_with_value / sizeof python_options_with_value[0];
		     k++)
			if (strcmp(arg, python_options_with_value[k]) == 0)
				i++;
	}
	if (!script)
		return 0;
	char **wrapped = calloc(count + 2, sizeof *wrapped);
	if (!wrapped)
		return text_error(err, "out of memory");
	for (size_t i = 0, at = 0; i < count; i++) {
		if (i == script)
			wrapped[at++] = (char *)reporter_path;
		wrapped[at++] = argv[i];
	}
	*out = wrapped;
	return 1;
}
