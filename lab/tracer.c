/* tracer — the lab's end of the channel, and the helper process that
 * traces the program and speaks on its other end. */
#include "tracer.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "i18n.h"
#include "inject.h"
#include "syscalls.h"

/* ---- the protocol ---- */

enum request_type {
	REQUEST_RELEASE,   /* let `task` go on */
	REQUEST_SETTLE,    /* send TRACER_SETTLED once the program is settled, even if
	                      it already is */
	REQUEST_FREEZE,    /* interrupt every task asleep in a socket call; answer MESSAGE_FROZEN */
	REQUEST_THAW,      /* let the frozen tasks restart their calls */
	REQUEST_STOP,      /* kill everything, reap, exit */
};

struct request {
	enum request_type type;
	pid_t task;
};

enum message_type {
	MESSAGE_STARTED,       /* the program was exec'd; `number` is its pid */
	MESSAGE_START_FAILED,  /* event.text says why */
	MESSAGE_EVENT,
	MESSAGE_FROZEN,        /* answer to REQUEST_FREEZE; `number` tasks frozen */
};

struct message {
	enum message_type type;
	uint32_t requests_seen;      /* requests the helper had handled when it sent this */
	long number;
	struct tracer_event event;   /* last: only bytes_len of its bytes travel */
};

static size_t message_size(const struct message *message)
{
	return offsetof(struct message, event.bytes) + message->event.bytes_len;
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

/* ==== the helper: the process that traces ==== */

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
	bool startup;                  /* the call in flight is the interpreter's
	                                  start-up: not held */
	bool execed;                   /* a leader: ran execve since it was forked */
	pid_t parent;                  /* a leader: the process that forked it, 0 unknown */
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

struct helper {
	int channel;
	int signal_fd;                 /* SIGCHLD: a tracee stopped or exited */
	int output_fd;                 /* the program's stdout and stderr, -1 once every
	                                  writer is gone */
	int line_fd;                   /* source lines from the program, -1 once closed */
	bool before_first_line;        /* TRACER_REPORTS_LINES, and no line reported yet */
	pid_t program;
	struct task *tasks;            /* owned, TRACER_MAX_TASKS of room */
	struct task_sample *samples;   /* owned, one per task: check_settled's first look */
	size_t task_count;
	size_t process_count;
	uint32_t requests_seen;
	bool settle_armed;             /* send SETTLED when the program next is settled */
	bool freeze_waiting;           /* send FROZEN when no task is freezing any more */
	long frozen_count;
	bool over;
	char stop_reason[160];         /* why the lab killed the program, "" if it did not */
	uint64_t tick_ns;              /* how long to sleep before asking /proc again */
	struct message *message;       /* owned: the one being built */
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

#define TRACE_OPTIONS \
	(PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK \
	 | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_TRACESECCOMP)

/* The kernel's restart codes, seen at a syscall-exit stop when a signal
 * or PTRACE_INTERRUPT cut a call short; the program never sees them. */
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ERESTART_RESTARTBLOCK 516

/* Where the program child parks its end of the start-up pipes (closed on
 * exec), just above the line fd; all three move down under an open file
 * limit (ulimit -n) of 1003 or less, to its top. */
#define CHILD_GO_FD (child_line_fd + 1)
#define CHILD_REPORT_FD (child_line_fd + 2)

/* The program child's line fd: TRACER_LINE_FD, or the highest three fds
 * the limit allows. Set in the child before it moves its fds. */
static int child_line_fd = TRACER_LINE_FD;

static int line_fd_under_limit(void)
{
	struct rlimit limit;
	if (getrlimit(RLIMIT_NOFILE, &limit) < 0 || limit.rlim_cur > TRACER_LINE_FD + 2)
		return TRACER_LINE_FD;
	return limit.rlim_cur >= 8 ? (int)limit.rlim_cur - 3 : -1;
}

static _Noreturn void helper_exit(struct helper *helper);

static void helper_send(struct helper *helper, enum message_type type, long number)
{
	struct message *message = helper->message;
	message->type = type;
	message->requests_seen = helper->requests_seen;
	message->number = number;
	while (send(helper->channel, message, message_size(message), MSG_NOSIGNAL) < 0) {
		if (errno != EINTR)
			helper_exit(helper);     /* the lab is gone: EXITKILL takes the
			                            program with us */
	}
}

/* A fresh event in the message, everything but the bytes zeroed. */
static struct tracer_event *new_event(struct helper *helper, enum tracer_event_kind kind,
				      const struct task *task)
{
	struct tracer_event *event = &helper->message->event;
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
static void send_output(struct helper *helper, size_t len)
{
	struct tracer_event *event = new_event(helper, TRACER_OUTPUT, NULL);
	event->process = helper->program;
	memcpy(event->bytes, helper->output, len);
	event->bytes_len = (uint32_t)len;
	helper_send(helper, MESSAGE_EVENT, 0);
	helper->output_len -= len;
	memmove(helper->output, helper->output + len, helper->output_len);
}

/* What the program wrote, a line an event: "Received b'Hello, world'"
 * arrives as one line however many write()s made it. `flush` sends an
 * unfinished line too (a prompt before a stop, the last words at exit);
 * a line longer than an event goes in parts. Output written before a stop
 * is sent before the stop's event. */
static void forward_output(struct helper *helper, bool flush)
{
	while (helper->output_fd >= 0) {
		ssize_t n = read(helper->output_fd, helper->output + helper->output_len,
				 sizeof helper->output - helper->output_len);
		if (n < 0 && errno == EINTR)
			continue;
		/* EAGAIN: nothing more for now. EIO: a pty whose program has
		 * closed every fd of it, its way of saying end of file. */
		if (n == 0 || (n < 0 && errno == EIO)) {
			close(helper->output_fd);
			helper->output_fd = -1;
			flush = true;
		}
		if (n > 0)
			helper->output_len += (size_t)n;
		for (;;) {
			const char *newline = memchr(helper->output, '\n', helper->output_len);
			if (newline)
				send_output(helper, (size_t)(newline - helper->output) + 1);
			else if (helper->output_len == sizeof helper->output)
				send_output(helper, helper->output_len);
			else
				break;
		}
		if (n <= 0)
			break;
	}
	if (flush && helper->output_len)
		send_output(helper, helper->output_len);
}

static struct task *find_task(struct helper *helper, pid_t tid)
{
	for (size_t i = 0; i < helper->task_count; i++)
		if (helper->tasks[i].tid == tid)
			return &helper->tasks[i];
	return NULL;
}

/* Lines come as "TID FILE:LINE: SOURCE\n"; "TID -\n" says the program's own code is done. */
static void take_line(struct helper *helper, char *line)
{
	char *space = strchr(line, ' ');
	if (!space)
		return;
	*space = '\0';
	struct task *task = find_task(helper, (pid_t)atoi(line));
	if (!task)
		return;
	helper->before_first_line = false;
	if (strcmp(space + 1, "-") == 0)
		task->line[0] = '\0';
	else
		snprintf(task->line, sizeof task->line, "%s", space + 1);
}

static void read_lines(struct helper *helper)
{
	while (helper->line_fd >= 0) {
		size_t room = sizeof helper->line_buffer - helper->line_len - 1;
		ssize_t n = read(helper->line_fd, helper->line_buffer + helper->line_len, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return;
		if (n == 0) {
			close(helper->line_fd);
			helper->line_fd = -1;
			return;
		}
		helper->line_len += (size_t)n;
		helper->line_buffer[helper->line_len] = '\0';
		char *start = helper->line_buffer, *end;
		while ((end = strchr(start, '\n'))) {
			*end = '\0';
			take_line(helper, start);
			start = end + 1;
		}
		helper->line_len -= (size_t)(start - helper->line_buffer);
		memmove(helper->line_buffer, start, helper->line_len);
		if (helper->line_len == sizeof helper->line_buffer - 1)
			helper->line_len = 0;     /* a line longer than the buffer: drop it */
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
 * look, or each time when the helper is out of fds (a program with
 * hundreds of threads). */
static ssize_t read_task_file(struct task *task, enum proc_file file, char *text, size_t size)
{
	int *kept = &task->proc_fds[file];
	if (*kept < 0) {
		char path[64];
		snprintf(path, sizeof path, "/proc/%d/%s", (int)task->tid, proc_file_names[file]);
		*kept = open(path, O_RDONLY | O_CLOEXEC);
		if (*kept < 0)
			return read_proc(task->tid, proc_file_names[file], text, size);
	}
	ssize_t n = pread(*kept, text, size - 1, 0);
	text[n > 0 ? n : 0] = '\0';
	return n;
}

static void close_task_files(struct task *task)
{
	for (int file = 0; file < PROC_FILE_COUNT; file++) {
		if (task->proc_fds[file] >= 0)
			close(task->proc_fds[file]);
		task->proc_fds[file] = -1;
	}
}

static unsigned long status_number(const char *status, const char *field)
{
	const char *at = strstr(status, field);
	return at ? strtoul(at + strlen(field), NULL, 10) : 0;
}

/* The task's context switches so far, from /proc/TID/status (0 unknown). */
static unsigned long task_switches(struct task *task)
{
	char text[2048];
	if (read_task_file(task, PROC_STATUS, text, sizeof text) <= 0)
		return 0;
	return status_number(text, "\nvoluntary_ctxt_switches:")
	       + status_number(text, "\nnonvoluntary_ctxt_switches:");
}

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
	 * once would look asleep in it. Its wait channel tells. */
	if (read_task_file(task, PROC_WCHAN, text, sizeof text) > 0
	    && strncmp(text, "ptrace_stop", 11) == 0) {
		sample->state = 't';
		return;
	}
	if (read_task_file(task, PROC_SYSCALL, text, sizeof text) > 0) {
		if (strncmp(text, "running", 7) == 0)
			sample->state = 'R';
		else
			sample->syscall = strtol(text, NULL, 10);
	}
}

static void resume(struct task *task, enum __ptrace_request how, int signal)
{
	/* ESRCH: the task died (SIGKILL) while stopped; its exit is on its way. */
	ptrace(how, task->tid, 0, (void *)(uintptr_t)signal);
}

static void kill_program(struct helper *helper, const char *reason)
{
	if (!helper->stop_reason[0])
		snprintf(helper->stop_reason, sizeof helper->stop_reason, "%s", reason);
	for (size_t i = 0; i < helper->task_count; i++)
		kill(helper->tasks[i].tgid, SIGKILL);
}

static void read_command_line(pid_t pid, char *out, size_t size);

static struct task *add_task(struct helper *helper, pid_t tid, pid_t tgid, pid_t parent)
{
	if (tid == tgid && helper->process_count >= TRACER_MAX_PROCESSES) {
		kill(tid, SIGKILL);
		kill_program(helper, "stopped by the lab: the program started more than "
			     "64 processes (the lab's cap)");
		return NULL;
	}
	if (helper->task_count >= TRACER_MAX_TASKS) {
		kill(tgid, SIGKILL);
		kill_program(helper, "stopped by the lab: the program started more than "
			     "512 threads (the lab's cap)");
		return NULL;
	}
	struct task *task = &helper->tasks[helper->task_count++];
	memset(task, 0, sizeof *task);
	task->tid = tid;
	task->tgid = tgid;
	task->state = TASK_NEW;
	if (tid == tgid)
		helper->process_count++;
	task->parent = parent;
	for (int file = 0; file < PROC_FILE_COUNT; file++)
		task->proc_fds[file] = -1;
	return task;
}

/* A process's first shown call: the process is of note from now on, and
 * reported (FORKED, then EXECED if it ran another program since), before
 * the call. The processes a program runs without sockets (a shell's
 * subshells, a launcher such as pyenv's) come and go unreported. */
static void announce(struct helper *helper, struct task *leader)
{
	leader->made_socket_calls = true;
	if (leader->tid == helper->program)
		return;
	forward_output(helper, true);
	struct tracer_event *event = new_event(helper, TRACER_FORKED, leader);
	event->parent = leader->parent ? leader->parent
				       : status_pid(leader->tid, "\nPPid:", helper->program);
	helper_send(helper, MESSAGE_EVENT, 0);
	if (leader->execed) {
		event = new_event(helper, TRACER_EXECED, leader);
		read_command_line(leader->tid, event->text, sizeof event->text);
		helper_send(helper, MESSAGE_EVENT, 0);
	}
}

static void remove_task(struct helper *helper, struct task *task)
{
	if (task->tid == task->tgid)
		helper->process_count--;
	close_task_files(task);
	*task = helper->tasks[--helper->task_count];
}

static void send_exited(struct helper *helper, pid_t process, int status)
{
	forward_output(helper, true);
	struct tracer_event *event = new_event(helper, TRACER_EXITED, NULL);
	event->task = event->process = process;
	event->program_over = helper->task_count == 0;
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
	if (helper->stop_reason[0])
		snprintf(event->message, sizeof event->message, "%s", helper->stop_reason);
	helper_send(helper, MESSAGE_EVENT, 0);
	if (event->program_over)
		helper->over = true;
}

/* Whether `tid` ended a moment ago: a child that exits at once can be
 * reaped before its parent's fork event is read. */
static bool just_gone(const struct helper *helper, pid_t tid)
{
	for (size_t i = 0; i < sizeof helper->gone / sizeof helper->gone[0]; i++)
		if (helper->gone[i] == tid)
			return true;
	return false;
}

static void task_exited(struct helper *helper, struct task *task, int status)
{
	helper->gone[helper->gone_next++ % (sizeof helper->gone / sizeof helper->gone[0])] =
		task->tid;
	pid_t process = task->tgid;
	bool leader = task->tid == task->tgid;
	bool of_note = task->made_socket_calls || process == helper->program;
	remove_task(helper, task);
	if (!leader)
		return;                  /* a thread: the process goes on */
	/* The kernel reports a leader only after all its threads. */
	for (size_t i = helper->task_count; i-- > 0;)
		if (helper->tasks[i].tgid == process)
			remove_task(helper, &helper->tasks[i]);
	/* The helpers a program runs without sockets (a shell's subshells, a
	 * launcher such as pyenv's) come and go unreported. */
	if (of_note || helper->task_count == 0)
		send_exited(helper, process, status);
}

static bool get_syscall_info(struct task *task, struct __ptrace_syscall_info *info)
{
	long size = ptrace(PTRACE_GET_SYSCALL_INFO, task->tid, (void *)sizeof *info, info);
	return size > 0;
}

/* The event for the task's current call, filled from what the task kept. */
static struct tracer_event *call_event(struct helper *helper, enum tracer_event_kind kind,
				       struct task *task)
{
	struct tracer_event *event = new_event(helper, kind, task);
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

/* A seccomp stop: a call of the table is about to run. */
static void at_call_entry(struct helper *helper, struct task *task)
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
	if (!syscalls_is_shown(def, task->tid, info.seccomp.args)) {
		/* A signal handler's write to a pipe does not end a restart. */
		if (task->state != TASK_RESTARTING)
			task->state = TASK_RUNNING;
		resume(task, PTRACE_CONT, 0);
		return;
	}
	read_lines(helper);
	forward_output(helper, true);
	if (task->state == TASK_RESTARTING) {
		/* The interrupted call was not run again: a handler without
		 * SA_RESTART ran, and the program saw EINTR. */
		struct tracer_event *event = call_event(helper, TRACER_RETURNED, task);
		event->ret = -1;
		event->error = EINTR;
		event->woke = task->blocked_reported;
		size_t len = strlen(event->text);
		snprintf(event->text + len, sizeof event->text - len, " = -1 EINTR (%s)",
			 strerror(EINTR));
		helper_send(helper, MESSAGE_EVENT, 0);
	}
	/* A launcher's helper (pyenv's shim runs bash, which asks nscd for
	 * the user) calls before the script's first line: not the program. */
	struct task *leader = find_task(helper, task->tgid);
	if (leader && !helper->before_first_line && !leader->made_socket_calls)
		announce(helper, leader);
	task->def = def;
	memcpy(task->args, info.seccomp.args, sizeof task->args);
	task->state = TASK_AT_CALL;
	task->blocked_reported = false;
	task->startup = helper->before_first_line;
	struct tracer_event *event = new_event(helper, TRACER_CALL, task);
	event->held = true;
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
	helper_send(helper, MESSAGE_EVENT, 0);
}

static bool is_restart(long error)
{
	return error == ERESTARTSYS || error == ERESTARTNOINTR || error == ERESTARTNOHAND;
}

static void handle_status(struct helper *helper, pid_t tid, int status);

/* Gives socket fd `fd` a seccomp filter of its own, once per process and
 * fd number. Returns false when the task ended meanwhile (handled). */
static bool watch_fd(struct helper *helper, struct task *task, int fd)
{
	struct task *leader = find_task(helper, task->tgid);
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
		kill_program(helper, reason);
		return true;
	}
	case INJECT_GONE:
		handle_status(helper, tid, status);
		return false;
	}
	return true;
}

/* The fds a call that returned made (socket, accept, socketpair), each
 * watched from now on. Returns false when the task ended meanwhile. */
static bool watch_new_fds(struct helper *helper, struct task *task, long ret)
{
	if (!inject_supported() || ret < 0)
		return true;
	if (task->def->returns_fd)
		return watch_fd(helper, task, (int)ret);
	for (int a = 0; a < task->def->arg_count; a++)
		if (task->def->args[a] == SA_FD_PAIR) {
			int pair[2];
			if (syscalls_read_memory(task->tid, task->args[a], pair,
						 sizeof pair) != sizeof pair)
				return true;
			return watch_fd(helper, task, pair[0]) && watch_fd(helper, task, pair[1]);
		}
	return true;
}

/* A syscall-exit stop: the released call returned (or was cut short). */
static void at_call_exit(struct helper *helper, struct task *task)
{
	struct __ptrace_syscall_info info;
	if (task->state == TASK_COPYING_FD) {
		task->state = TASK_RUNNING;
		if (get_syscall_info(task, &info) && info.op == PTRACE_SYSCALL_INFO_EXIT
		    && !info.exit.is_error && !watch_fd(helper, task, (int)info.exit.rval))
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
			helper->frozen_count++;
			return;
		}
		resume(task, PTRACE_CONT, 0);
		return;
	}
	if (!info.exit.is_error && !watch_new_fds(helper, task, info.exit.rval))
		return;                  /* the task is gone, and handled */
	forward_output(helper, true);
	bool interrupted_for_good = error == ERESTART_RESTARTBLOCK;
	struct tracer_event *event = call_event(helper, TRACER_RETURNED, task);
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
		helper_send(helper, MESSAGE_EVENT, 0);
		resume(task, PTRACE_CONT, 0);
		return;
	}
	helper_send(helper, MESSAGE_EVENT, 0);
}

static void at_new_task(struct helper *helper, struct task *parent)
{
	unsigned long tid = 0;
	ptrace(PTRACE_GETEVENTMSG, parent->tid, 0, &tid);
	struct task *child = tid ? find_task(helper, (pid_t)tid) : NULL;
	if (tid && !child && !just_gone(helper, (pid_t)tid))
		child = add_task(helper, (pid_t)tid, tgid_of((pid_t)tid), parent->tgid);
	/* A new process inherits its parent's filters: the same fds are watched. */
	const struct task *parent_leader = find_task(helper, parent->tgid);
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

static void at_exec(struct helper *helper, struct task *task)
{
	/* waitpid reports the exec under the leader's tid, which the thread
	 * that called execve has taken; every other thread of the process is
	 * gone. */
	pid_t tid = task->tid, tgid = task->tgid;
	for (size_t i = helper->task_count; i-- > 0;) {
		struct task *other = &helper->tasks[i];
		if (other->tgid == tgid && other->tid != tid)
			remove_task(helper, other);
	}
	task = find_task(helper, tid);
	if (!task)
		return;
	close_task_files(task);   /* the tid may now be another thread's: look afresh */
	task->state = TASK_RUNNING;
	task->line[0] = '\0';
	task->execed = true;
	if (task->made_socket_calls) {
		/* A process already shown runs another program: its fds stay. */
		forward_output(helper, true);
		struct tracer_event *event = new_event(helper, TRACER_EXECED, task);
		read_command_line(tgid, event->text, sizeof event->text);
		helper_send(helper, MESSAGE_EVENT, 0);
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

static void handle_status(struct helper *helper, pid_t tid, int status)
{
	struct task *task = find_task(helper, tid);
	helper->settle_armed = true;
	helper->tick_ns = TICK_MIN_NS;
	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		if (task)
			task_exited(helper, task, status);
		return;
	}
	if (!WIFSTOPPED(status))
		return;
	if (!task) {
		/* A new child's first stop can come before its parent's fork event. */
		task = add_task(helper, tid, tgid_of(tid), 0);
		if (!task)
			return;
	}
	int signal = WSTOPSIG(status);
	if (signal == (SIGTRAP | 0x80)) {
		at_call_exit(helper, task);
		return;
	}
	switch (status >> 16) {
	case PTRACE_EVENT_SECCOMP:
		at_call_entry(helper, task);
		return;
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		at_new_task(helper, task);
		return;
	case PTRACE_EVENT_EXEC:
		at_exec(helper, task);
		return;
	case PTRACE_EVENT_STOP:
		at_event_stop(task, signal);
		return;
	case 0:
		/* A signal on its way to the program: deliver it. */
		resume(task, PTRACE_CONT, signal);
		return;
	default:
		resume(task, PTRACE_CONT, 0);
	}
}

static void reap_events(struct helper *helper)
{
	for (;;) {
		int status;
		pid_t tid = waitpid(-1, &status, WNOHANG | __WALL);
		if (tid <= 0)
			return;
		handle_status(helper, tid, status);
	}
}

/* Released calls that now sleep in the kernel are reported BLOCKED, once. */
static void check_in_flight(struct helper *helper)
{
	for (size_t i = 0; i < helper->task_count; i++) {
		struct task *task = &helper->tasks[i];
		if (task->state != TASK_IN_CALL || task->blocked_reported)
			continue;
		struct task_sample sample;
		sample_task(task, false, &sample);
		if (sample.state != 'S' || sample.syscall != task->def->number)
			continue;
		task->blocked_reported = true;
		forward_output(helper, true);
		call_event(helper, TRACER_BLOCKED, task);
		helper_send(helper, MESSAGE_EVENT, 0);
	}
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
		if (!task->blocked_reported)
			return false;
		sample_task(task, with_switches, sample);
		counts[1]++;
		return sample->state == 'S' && sample->syscall == task->def->number;
	case TASK_RUNNING:
	case TASK_RESTARTING:     /* a handler runs, or the program saw EINTR and went elsewhere */
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
 * every second look. */
static void check_settled(struct helper *helper)
{
	if (!helper->settle_armed || helper->over || helper->freeze_waiting)
		return;
	unsigned counts[3] = { 0, 0, 0 }, again[3] = { 0, 0, 0 };
	struct task_sample *first = helper->samples, second;
	size_t sleepers = 0;
	for (size_t i = 0; i < helper->task_count; i++) {
		if (!task_is_quiet(&helper->tasks[i], false, &first[i], counts))
			return;
		sleepers += first[i].state != 't';
	}
	for (size_t i = 0; i < helper->task_count && sleepers > 1; i++)
		if (first[i].state != 't')
			first[i].switches = task_switches(&helper->tasks[i]);
	for (size_t i = 0; i < helper->task_count && sleepers > 1; i++) {
		if (first[i].state == 't')
			continue;
		if (!task_is_quiet(&helper->tasks[i], true, &second, again)
		    || second.state != first[i].state || second.syscall != first[i].syscall
		    || second.switches != first[i].switches)
			return;
	}
	/* Where it waits, most telling first: a call held for the caller, a
	 * socket call asleep, then anything else asleep. */
	char where[160] = "";
	enum tracer_wait wait = TRACER_WAIT_NONE;
	for (int pass = 0; pass < 3 && wait == TRACER_WAIT_NONE; pass++) {
		for (size_t i = 0; i < helper->task_count && wait == TRACER_WAIT_NONE; i++) {
			const struct task *task = &helper->tasks[i];
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
	forward_output(helper, true);
	struct tracer_event *event = new_event(helper, TRACER_SETTLED, NULL);
	event->process = helper->program;
	event->held_count = counts[0];
	event->blocked_count = counts[1];
	event->asleep_count = counts[2];
	event->wait = wait;
	snprintf(event->message, sizeof event->message, "%s", where);
	helper->settle_armed = false;
	helper_send(helper, MESSAGE_EVENT, 0);
}

static void check_frozen(struct helper *helper)
{
	if (!helper->freeze_waiting)
		return;
	for (size_t i = 0; i < helper->task_count; i++)
		if (helper->tasks[i].freezing)
			return;
	helper->freeze_waiting = false;
	new_event(helper, TRACER_SETTLED, NULL);   /* an empty body */
	helper_send(helper, MESSAGE_FROZEN, helper->frozen_count);
}

static void release_task(struct helper *helper, pid_t tid)
{
	struct task *task = find_task(helper, tid);
	if (task && task->state == TASK_AT_CALL) {
		task->state = TASK_IN_CALL;
		task->released_ns = now_ns();
		resume(task, PTRACE_SYSCALL, 0);
	} else if (task && task->state == TASK_AT_RETURN) {
		task->state = TASK_RUNNING;
		resume(task, PTRACE_CONT, 0);
	}
}

static void arm_settle(struct helper *helper, pid_t tid)
{
	(void)helper;             /* handle_request arms it for every request */
	(void)tid;
}

static void freeze_tasks(struct helper *helper, pid_t tid)
{
	(void)tid;
	helper->frozen_count = 0;
	helper->freeze_waiting = true;
	for (size_t i = 0; i < helper->task_count; i++) {
		struct task *task = &helper->tasks[i];
		if (task->state == TASK_IN_CALL && task->blocked_reported && !task->freezing
		    && ptrace(PTRACE_INTERRUPT, task->tid, 0, 0) == 0)
			task->freezing = true;
	}
}

static void thaw_tasks(struct helper *helper, pid_t tid)
{
	(void)tid;
	for (size_t i = 0; i < helper->task_count; i++) {
		struct task *task = &helper->tasks[i];
		if (task->state == TASK_FROZEN) {
			task->state = TASK_RESTARTING;
			resume(task, PTRACE_CONT, 0);
		}
	}
}

static void stop_everything(struct helper *helper, pid_t tid)
{
	(void)tid;
	helper_exit(helper);
}

typedef void request_handler(struct helper *helper, pid_t task);

static request_handler *const request_handlers[] = {
	[REQUEST_RELEASE] = release_task,
	[REQUEST_SETTLE] = arm_settle,
	[REQUEST_FREEZE] = freeze_tasks,
	[REQUEST_THAW] = thaw_tasks,
	[REQUEST_STOP] = stop_everything,
};
_Static_assert(sizeof request_handlers / sizeof request_handlers[0] == REQUEST_STOP + 1,
	       "a handler per request");

static void handle_request(struct helper *helper, const struct request *request)
{
	helper->requests_seen++;
	helper->settle_armed = true;
	helper->tick_ns = TICK_MIN_NS;
	if ((unsigned)request->type <= REQUEST_STOP)
		request_handlers[request->type](helper, request->task);
}

static void read_requests(struct helper *helper)
{
	for (;;) {
		struct request request;
		ssize_t n = recv(helper->channel, &request, sizeof request, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return;
		if (n != sizeof request)
			helper_exit(helper);  /* EOF: the lab is gone */
		handle_request(helper, &request);
	}
}

/* Kills every traced task and reaps every child (orphans come to us: we
 * are a subreaper), then exits. */
static _Noreturn void helper_exit(struct helper *helper)
{
	for (size_t i = 0; i < helper->task_count; i++)
		kill(helper->tasks[i].tgid, SIGKILL);
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, __WALL);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
			break;                /* ECHILD: nothing left */
		struct task *task = find_task(helper, pid);
		if (task && (WIFEXITED(status) || WIFSIGNALED(status)))
			remove_task(helper, task);
		else if (task)
			kill(task->tgid, SIGKILL);
	}
	_exit(0);
}

static bool helper_has_work(const struct helper *helper)
{
	if (helper->settle_armed || helper->freeze_waiting)
		return true;
	for (size_t i = 0; i < helper->task_count; i++)
		if (helper->tasks[i].state == TASK_IN_CALL && !helper->tasks[i].blocked_reported)
			return true;
	return false;
}

/* Every task waits in a ptrace stop (or a group stop): settled, as the
 * helper itself knows, with no look at /proc and no tick to wait for. */
static bool all_held(const struct helper *helper)
{
	for (size_t i = 0; i < helper->task_count; i++) {
		const struct task *task = &helper->tasks[i];
		if (!task->group_stopped && task->state != TASK_AT_CALL
		    && task->state != TASK_AT_RETURN && task->state != TASK_FROZEN)
			return false;
	}
	return helper->task_count > 0;
}

static _Noreturn void helper_loop(struct helper *helper)
{
	helper->tick_ns = TICK_MIN_NS;
	helper->settle_armed = true;
	/* A tick is a look at a call just released: the kernel's default
	 * slack (50 us) would double the first one. The program, started
	 * before, keeps its own. */
	prctl(PR_SET_TIMERSLACK, 1UL);
	uint64_t last_look_ns = now_ns();
	for (;;) {
		struct pollfd fds[] = {
			{ .fd = helper->channel, .events = POLLIN },
			{ .fd = helper->signal_fd, .events = POLLIN },
			{ .fd = helper->output_fd, .events = POLLIN },
			{ .fd = helper->line_fd, .events = POLLIN },
		};
		struct timespec tick = { .tv_sec = 0, .tv_nsec = (long)helper->tick_ns };
		bool timed = helper_has_work(helper);
		int ready = ppoll(fds, sizeof fds / sizeof fds[0], timed ? &tick : NULL, NULL);
		if (ready < 0 && errno != EINTR)
			helper_exit(helper);
		if (ready == 0 && helper->tick_ns < TICK_MAX_NS)
			helper->tick_ns *= 2;
		/* Asking /proc costs more than a stop: only once things are quiet
		 * (a tick with nothing to do), or every TICK_MAX_NS when they never are. */
		uint64_t now = now_ns();
		bool look = ready == 0 || now - last_look_ns >= TICK_MAX_NS;
		if (fds[1].revents) {
			/* Only a wake-up: waitpid says what happened. */
			struct signalfd_siginfo info[16];
			if (read(helper->signal_fd, info, sizeof info) < 0 && errno != EAGAIN)
				helper_exit(helper);
		}
		/* Stops first: a request may name a task whose stop is still unread. */
		reap_events(helper);
		if (fds[0].revents)
			read_requests(helper);
		/* Stops drained these before their events; here only what came since. */
		if (fds[3].revents)
			read_lines(helper);
		if (fds[2].revents)
			forward_output(helper, false);
		check_frozen(helper);
		if (look) {
			last_look_ns = now;
			check_in_flight(helper);
			check_settled(helper);
		} else if (helper->settle_armed && all_held(helper)) {
			check_settled(helper);
		}
		if (helper->over)
			helper_exit(helper);
	}
}

/* ---- starting the program ---- */

enum start_stage {
	STAGE_SET_UP,      /* fds, process group, signals */
	STAGE_NO_NEW_PRIVS,
	STAGE_SECCOMP,
	STAGE_EXEC,
};

struct start_report {
	enum start_stage stage;
	int error;
};

static _Noreturn void report_start_failure(enum start_stage stage, int error)
{
	struct start_report report = { stage, error };
	if (write(CHILD_REPORT_FD, &report, sizeof report) < 0)
		_exit(126);
	_exit(127);
}

/* The program's side of fork: a clean process, then wait to be seized,
 * install the filter, exec. */
static _Noreturn void program_child(char *const argv[], int output, int lines, int report, int go,
				    const struct sock_fprog *filter)
{
	if (setpgid(0, 0) < 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		_exit(126);
	for (int signal = 1; signal < NSIG; signal++)
		sigaction(signal, &(struct sigaction){ .sa_handler = SIG_DFL }, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	child_line_fd = line_fd_under_limit();
	int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (child_line_fd < 0 || null_fd < 0 || dup3(report, CHILD_REPORT_FD, O_CLOEXEC) < 0
	    || dup3(go, CHILD_GO_FD, O_CLOEXEC) < 0)
		_exit(126);
	if (dup2(null_fd, 0) < 0 || dup2(output, 1) < 0 || dup2(output, 2) < 0
	    || dup2(lines, child_line_fd) < 0)
		report_start_failure(STAGE_SET_UP, errno);
	close_range(3, (unsigned)child_line_fd - 1, 0);
	close_range((unsigned)CHILD_REPORT_FD + 1, ~0u, 0);
	char number[16];
	snprintf(number, sizeof number, "%d", child_line_fd);
	setenv("SOCKLAB_LINE_FD", number, 1);
	/* A Python program's prints reach its pane when they happen, not at exit. */
	setenv("PYTHONUNBUFFERED", "1", 0);
	char byte;
	if (read(CHILD_GO_FD, &byte, 1) != 1)
		_exit(126);                   /* the helper could not seize us; it says why */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		report_start_failure(STAGE_NO_NEW_PRIVS, errno);
	/* SPEC_ALLOW: the filter is the lab's way to see socket calls, not a
	 * sandbox; without it the kernel would turn on its speculative-store
	 * mitigation for the program (where it is "prctl and seccomp"),
	 * slowing every instruction of it. Kernels before 4.17 lack the flag. */
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_SPEC_ALLOW,
		    filter) < 0
	    && (errno != EINVAL || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, filter) < 0))
		report_start_failure(STAGE_SECCOMP, errno);
	execvp(argv[0], argv);
	report_start_failure(STAGE_EXEC, errno);
}

/* One line on why ptrace was refused, from what the system says. */
static void explain_ptrace_refusal(char *out, size_t size, const char *label, int error)
{
	char scope[8] = "";
	int fd = open("/proc/sys/kernel/yama/ptrace_scope", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, scope, sizeof scope - 1);
		scope[n > 0 ? n : 0] = '\0';
		scope[strcspn(scope, "\n")] = '\0';
		close(fd);
	}
	const char *why;
	if (strcmp(scope, "3") == 0)
		why = "kernel.yama.ptrace_scope is 3: no process may trace another until reboot";
	else if (strcmp(scope, "2") == 0)
		why = "kernel.yama.ptrace_scope is 2: only root (CAP_SYS_PTRACE) may trace";
	else
		why = "a container's seccomp profile or a security module forbids it "
		      "(docker: --cap-add SYS_PTRACE, or a profile that allows ptrace)";
	snprintf(out, size,
		 "%s: cannot trace programs here: ptrace is not allowed (PTRACE_SEIZE: %s): %s",
		 label, strerror(error), why);
}

static const char *const stage_texts[] = {
	[STAGE_SET_UP] = "could not set up its file descriptors",
	[STAGE_NO_NEW_PRIVS] =
		"the kernel refused PR_SET_NO_NEW_PRIVS, which the seccomp filter needs",
	/* In parentheses: two pieces of one string, not two rows. */
	[STAGE_SECCOMP] = ("the kernel refused the seccomp filter that lets non-socket calls run "
			   "at full speed"),
	[STAGE_EXEC] = "cannot run",
};

/* Whether any directory of PATH holds a file named `program`: execvp
 * reports EACCES, not ENOENT, when only an unreadable directory was in
 * the way. */
static bool in_path(const char *program)
{
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t len = strcspn(path, ":");
		char candidate[4096];
		snprintf(candidate, sizeof candidate, "%.*s/%s", (int)len, len ? path : ".",
			 program);
		if (access(candidate, F_OK) == 0)
			return true;
		path += len + (path[len] == ':');
	}
	return false;
}

/* The Debian and Ubuntu package of each program the lessons and README
 * run, named when it is missing. */
static const struct {
	const char *program;
	const char *package;
} program_packages[] = {
	{ "python3", "python3" },
	{ "nc", "netcat-openbsd" },
	{ "socat", "socat" },
	{ "curl", "curl" },
};

static const char *package_of(const char *program)
{
	for (size_t i = 0; i < sizeof program_packages / sizeof program_packages[0]; i++)
		if (strcmp(program, program_packages[i].program) == 0)
			return program_packages[i].package;
	return NULL;
}

static void explain_start_failure(char *out, size_t size, const char *label, const char *program,
				  int report_fd, int status)
{
	struct start_report report;
	ssize_t n = read(report_fd, &report, sizeof report);
	const char *package = package_of(program);
	if (n == sizeof report && report.stage == STAGE_EXEC && !strchr(program, '/')
	    && !in_path(program) && package)
		snprintf(out, size,
			 "%s: cannot run '%s': no such program in PATH (the %s package: sudo "
			 "apt-get install %s)",
			 label, program, package, package);
	else if (n == sizeof report && report.stage == STAGE_EXEC && !strchr(program, '/')
		 && !in_path(program))
		snprintf(out, size, "%s: cannot run '%s': no such program in PATH", label, program);
	else if (n == sizeof report && report.stage == STAGE_EXEC)
		snprintf(out, size, "%s: cannot run '%s': %s", label, program,
			 strerror(report.error));
	else if (n == sizeof report
		 && (unsigned)report.stage < sizeof stage_texts / sizeof stage_texts[0])
		snprintf(out, size, "%s: %s: %s", label, stage_texts[report.stage],
			 strerror(report.error));
	else if (WIFSIGNALED(status))
		snprintf(out, size, "%s: '%s' was killed by SIG%s before it started", label,
			 program,
			 sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?");
	else
		snprintf(out, size, "%s: '%s' could not be started", label, program);
}

/* Where the program's stdout and stderr go: a pseudo-terminal of its own
 * (so C's stdio buffers by line, as in a shell, and output shows when it
 * is written), or a pipe where no pty can be had. [0] is read by the
 * helper, [1] becomes the program's fds 1 and 2. */
static int open_output(int output[2])
{
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0) {
		const char *name = ptsname(master);
		int terminal = name ? open(name, O_RDWR | O_NOCTTY | O_CLOEXEC) : -1;
		if (terminal >= 0) {
			/* Bytes as written: no "\n" -> "\r\n", no echo. */
			struct termios modes;
			if (tcgetattr(terminal, &modes) == 0) {
				modes.c_oflag &= ~(tcflag_t)OPOST;
				modes.c_lflag &= ~(tcflag_t)(ECHO | ICANON | ISIG);
				tcsetattr(terminal, TCSANOW, &modes);
			}
			struct winsize size = { .ws_row = 24, .ws_col = 80 };
			ioctl(terminal, TIOCSWINSZ, &size);
			output[0] = master;
			output[1] = terminal;
			return 0;
		}
	}
	if (master >= 0)
		close(master);
	return pipe2(output, O_CLOEXEC);
}

/* Forks the program, seizes it and waits for its exec. Returns 0, or -1
 * with the reason in the message's text. */
static int start_program(struct helper *helper, char *const argv[], const char *label)
{
	struct sock_filter instructions[SYSCALLS_FILTER_MAX];
	int count = syscalls_build_filter(instructions, SYSCALLS_FILTER_MAX, inject_supported());
	struct sock_fprog filter = { .len = (unsigned short)count, .filter = instructions };
	char *reason = helper->message->event.text;
	size_t reason_size = sizeof helper->message->event.text;
	int output[2], lines[2], report[2], go[2];
	if (count < 0 || open_output(output) < 0 || pipe2(lines, O_CLOEXEC) < 0
	    || pipe2(report, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0) {
		snprintf(reason, reason_size, "%s: pipe: %s", label, strerror(errno));
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(reason, reason_size, "%s: fork: %s", label, strerror(errno));
		return -1;
	}
	if (pid == 0)
		program_child(argv, output[1], lines[1], report[1], go[0], &filter);
	close(output[1]);
	close(lines[1]);
	close(report[1]);
	close(go[0]);
	helper->output_fd = output[0];
	helper->line_fd = lines[0];
	fcntl(output[0], F_SETFL, O_NONBLOCK);
	fcntl(lines[0], F_SETFL, O_NONBLOCK);
	if (ptrace(PTRACE_SEIZE, pid, 0, (void *)(uintptr_t)TRACE_OPTIONS) < 0) {
		explain_ptrace_refusal(reason, reason_size, label, errno);
		close(go[1]);             /* the child reads EOF and exits */
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	helper->program = pid;
	add_task(helper, pid, pid, 0)->state = TASK_RUNNING;
	if (write(go[1], "g", 1) != 1) {
		snprintf(reason, reason_size, "%s: write: %s", label, strerror(errno));
		return -1;
	}
	close(go[1]);
	/* Until exec, the child's only traced call is the write of a failure report. */
	for (;;) {
		int status;
		if (waitpid(pid, &status, __WALL) < 0) {
			snprintf(reason, reason_size, "%s: waitpid: %s", label, strerror(errno));
			return -1;
		}
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			explain_start_failure(reason, reason_size, label, argv[0], report[0],
					      status);
			return -1;
		}
		int event = status >> 16;
		if (event == PTRACE_EVENT_EXEC)
			break;
		ptrace(PTRACE_CONT, pid, 0, (void *)(uintptr_t)(event == 0 ? WSTOPSIG(status) : 0));
	}
	close(report[0]);
	ptrace(PTRACE_CONT, pid, 0, 0);
	return 0;
}

static _Noreturn void helper_main(int channel, pid_t lab, char *const argv[], const char *label,
				  unsigned flags)
{
	struct helper helper;
	memset(&helper, 0, sizeof helper);
	helper.before_first_line = flags & TRACER_REPORTS_LINES;
	helper.channel = channel;
	helper.output_fd = helper.line_fd = -1;
	helper.signal_fd = -1;
	/* Die with the lab; EXITKILL then takes the program. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != lab)
		_exit(1);
	/* Out of the terminal's process group: Ctrl-C and Ctrl-Z belong to the lab. */
	setpgid(0, 0);
	/* Orphans of the program are reparented to us, so we reap them all. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	for (int signal = 1; signal < NSIG; signal++)
		sigaction(signal, &(struct sigaction){ .sa_handler = SIG_DFL }, NULL);
	/* Keep only the channel: the lab's other fds (puppets, netlink, the
	 * terminal) are not ours to hold open. */
	if (dup2(channel, 3) < 0)
		_exit(1);
	helper.channel = 3;
	close_range(4, ~0u, 0);
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	helper.signal_fd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	helper.message = malloc(sizeof *helper.message);
	helper.tasks = calloc(TRACER_MAX_TASKS, sizeof *helper.tasks);
	helper.samples = calloc(TRACER_MAX_TASKS, sizeof *helper.samples);
	if (!helper.message || !helper.tasks || !helper.samples || helper.signal_fd < 0)
		_exit(1);
	memset(helper.message, 0, offsetof(struct message, event.bytes));
	if (start_program(&helper, argv, label) < 0) {
		helper_send(&helper, MESSAGE_START_FAILED, 0);
		helper_exit(&helper);
	}
	new_event(&helper, TRACER_SETTLED, NULL);
	helper_send(&helper, MESSAGE_STARTED, helper.program);
	helper_loop(&helper);
}

/* ==== the lab's side ==== */

struct tracer {
	pid_t helper;                 /* -1 once reaped */
	pid_t program;
	int channel;                  /* -1 once closed */
	char label[64];
	uint32_t requests_sent;
	bool over;                    /* the program's last process exited */
	struct message *incoming;     /* owned: the message being read */
	struct message **queue;       /* owned: events read by tracer_freeze, for tracer_poll */
	size_t queue_count, queue_capacity;
};

static int send_request(struct tracer *tracer, enum request_type type, pid_t task, char **err)
{
	struct request request = { .type = type, .task = task };
	if (tracer->channel < 0)
		return text_error(err, "%s: the tracer has stopped", tracer->label);
	while (send(tracer->channel, &request, sizeof request, MSG_NOSIGNAL) < 0) {
		if (errno == EINTR)
			continue;
		/* The helper leaves once the program is over, maybe before we have
		 * read its last events: they are still there to read, and reading
		 * says whether it ended well. */
		if (errno == EPIPE || errno == ECONNRESET)
			return 0;
		return text_error(err, "%s: cannot reach the tracing process (%s)", tracer->label,
				  strerror(errno));
	}
	tracer->requests_sent++;
	return 0;
}

/* Reads one message: 1, 0 when none is waiting (or EOF after the end), -1 with *err. */
static int receive(struct tracer *tracer, int flags, char **err)
{
	if (tracer->channel < 0)
		return 0;
	ssize_t n;
	do
		n = recv(tracer->channel, tracer->incoming, sizeof *tracer->incoming, flags);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n <= 0) {
		close(tracer->channel);
		tracer->channel = -1;
		waitpid(tracer->helper, NULL, 0);
		tracer->helper = -1;
		if (tracer->over)
			return 0;
		return text_error(err, "%s: the tracing process died", tracer->label);
	}
	if ((size_t)n < offsetof(struct message, event.bytes)
	    || (size_t)n != message_size(tracer->incoming))
		return text_error(err, "%s: a garbled message from the tracing process",
				  tracer->label);
	return 1;
}

static int wait_readable(struct tracer *tracer, int timeout_ms)
{
	struct pollfd pfd = { .fd = tracer->channel, .events = POLLIN };
	int ready;
	do
		ready = poll(&pfd, 1, timeout_ms);
	while (ready < 0 && errno == EINTR);
	return ready;
}

int tracer_start(struct tracer **out, char *const argv[], const char *label, unsigned flags,
		 char **err)
{
	*out = NULL;
	if (!argv || !argv[0])
		return text_error(err, "%s: no program to run", label);
	struct tracer *tracer = calloc(1, sizeof *tracer);
	if (!tracer)
		return text_error(err, "%s: out of memory", label);
	tracer->helper = -1;
	tracer->channel = -1;
	snprintf(tracer->label, sizeof tracer->label, "%s", label);
	tracer->incoming = malloc(sizeof *tracer->incoming);
	int pair[2];
	if (!tracer->incoming) {
		free(tracer);
		return text_error(err, "%s: out of memory", label);
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
		tracer_free(tracer);
		return text_error(err, "%s: socketpair: %s", label, strerror(errno));
	}
	/* An event carries up to 64 KiB of bytes in one message. */
	int size = 4 * (int)sizeof(struct message);
	setsockopt(pair[0], SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	setsockopt(pair[1], SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
	pid_t lab = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		close(pair[0]);
		close(pair[1]);
		tracer_free(tracer);
		return text_error(err, "%s: fork: %s", label, strerror(errno));
	}
	if (pid == 0) {
		close(pair[0]);
		helper_main(pair[1], lab, argv, tracer->label, flags);
	}
	close(pair[1]);
	tracer->helper = pid;
	tracer->channel = pair[0];
	/* The helper answers once the program is exec'd or has failed to be. */
	int got = wait_readable(tracer, 30000) > 0 ? receive(tracer, 0, err) : 0;
	if (got <= 0) {
		if (got == 0)
			text_error(err, "%s: the tracing process did not start '%s'", label,
				   argv[0]);
		tracer_free(tracer);
		return -1;
	}
	if (tracer->incoming->type != MESSAGE_STARTED) {
		text_error(err, "%s", tracer->incoming->event.text);
		tracer_free(tracer);
		return -1;
	}
	tracer->program = (pid_t)tracer->incoming->number;
	*out = tracer;
	return 0;
}

pid_t tracer_pid(const struct tracer *tracer)
{
	return tracer->program;
}

int tracer_fd(const struct tracer *tracer)
{
	return tracer->channel;
}

static void copy_event(struct tracer_event *event, const struct message *message)
{
	memcpy(event, &message->event,
	       offsetof(struct tracer_event, bytes) + message->event.bytes_len);
}

/* Whether a message read from the helper is an event for the caller. */
static bool is_news(const struct tracer *tracer, const struct message *message)
{
	if (message->type != MESSAGE_EVENT)
		return false;             /* a late answer to a freeze */
	/* A SETTLED sent before the helper saw our latest request is out of date. */
	return message->event.kind != TRACER_SETTLED
		|| message->requests_seen == tracer->requests_sent;
}

int tracer_poll(struct tracer *tracer, struct tracer_event *event, char **err)
{
	while (tracer->queue_count > 0) {
		struct message *first = tracer->queue[0];
		memmove(tracer->queue, tracer->queue + 1,
			--tracer->queue_count * sizeof *tracer->queue);
		bool news = is_news(tracer, first);
		if (news)
			copy_event(event, first);
		free(first);
		if (news)
			return 1;
	}
	for (;;) {
		int got = receive(tracer, MSG_DONTWAIT, err);
		if (got <= 0)
			return got;
		if (!is_news(tracer, tracer->incoming))
			continue;
		copy_event(event, tracer->incoming);
		if (event->kind == TRACER_EXITED && event->program_over)
			tracer->over = true;
		return 1;
	}
}

static int remaining_ms(uint64_t deadline)
{
	uint64_t now = now_ns();
	if (now >= deadline)
		return 0;
	uint64_t left = (deadline - now + 999999) / 1000000;
	return left > 1000000000 ? 1000000000 : (int)left;
}

int tracer_wait(struct tracer *tracer, struct tracer_event *event, int timeout_ms, char **err)
{
	uint64_t deadline =
		timeout_ms < 0 ? UINT64_MAX : now_ns() + (uint64_t)timeout_ms * 1000000u;
	for (;;) {
		int got = tracer_poll(tracer, event, err);
		if (got != 0 || tracer->channel < 0)
			return got;
		int left = timeout_ms < 0 ? -1 : remaining_ms(deadline);
		if (left == 0 || wait_readable(tracer, left) == 0)
			return 0;
	}
}

int tracer_request_settle(struct tracer *tracer, char **err)
{
	return send_request(tracer, REQUEST_SETTLE, 0, err);
}

int tracer_release(struct tracer *tracer, pid_t task, char **err)
{
	return send_request(tracer, REQUEST_RELEASE, task, err);
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
	int result = send_request(tracer, REQUEST_SETTLE, 0, err) < 0 ? -1 : TRACER_RUN_TIMEOUT;
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

static int queue_incoming(struct tracer *tracer, char **err)
{
	if (tracer->queue_count == tracer->queue_capacity) {
		size_t capacity = tracer->queue_capacity ? 2 * tracer->queue_capacity : 8;
		struct message **queue = realloc(tracer->queue, capacity * sizeof *queue);
		if (!queue)
			return text_error(err, "%s: out of memory", tracer->label);
		tracer->queue = queue;
		tracer->queue_capacity = capacity;
	}
	size_t size = message_size(tracer->incoming);
	struct message *copy = malloc(size);
	if (!copy)
		return text_error(err, "%s: out of memory", tracer->label);
	memcpy(copy, tracer->incoming, size);
	tracer->queue[tracer->queue_count++] = copy;
	return 0;
}

int tracer_freeze(struct tracer *tracer, char **err)
{
	if (tracer->over || tracer->channel < 0)
		return 0;
	if (send_request(tracer, REQUEST_FREEZE, 0, err) < 0)
		return -1;
	for (;;) {
		if (wait_readable(tracer, 5000) <= 0)
			return text_error(err, "%s: the program did not stop within 5 s",
					  tracer->label);
		int got = receive(tracer, 0, err);
		if (got <= 0)
			return got == 0 ? 0 : -1;
		if (tracer->incoming->type == MESSAGE_FROZEN)
			return (int)tracer->incoming->number;
		if (tracer->incoming->type == MESSAGE_EVENT && queue_incoming(tracer, err) < 0)
			return -1;
	}
}

int tracer_thaw(struct tracer *tracer, char **err)
{
	if (tracer->over || tracer->channel < 0)
		return 0;
	return send_request(tracer, REQUEST_THAW, 0, err);
}

void tracer_stop(struct tracer *tracer)
{
	if (!tracer)
		return;
	if (tracer->helper > 0) {
		bool gone = false;
		if (tracer->channel >= 0 && send_request(tracer, REQUEST_STOP, 0, NULL) == 0) {
			/* The helper kills and reaps the program, then exits: EOF. */
			uint64_t deadline = now_ns() + 2000000000u;
			while (!gone && remaining_ms(deadline) > 0
			       && wait_readable(tracer, remaining_ms(deadline)) > 0) {
				ssize_t n = recv(tracer->channel, tracer->incoming,
						 sizeof *tracer->incoming, MSG_DONTWAIT);
				gone = n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
			}
		}
		/* Stuck or unreachable: kill it; the kernel kills the program (EXITKILL). */
		if (!gone)
			kill(tracer->helper, SIGKILL);
		waitpid(tracer->helper, NULL, 0);
		tracer->helper = -1;
	}
	if (tracer->channel >= 0) {
		close(tracer->channel);
		tracer->channel = -1;
	}
	for (size_t i = 0; i < tracer->queue_count; i++)
		free(tracer->queue[i]);
	tracer->queue_count = 0;
	tracer->over = true;
}

void tracer_free(struct tracer *tracer)
{
	if (!tracer)
		return;
	tracer_stop(tracer);
	free(tracer->queue);
	free(tracer->incoming);
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
