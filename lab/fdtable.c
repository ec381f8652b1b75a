/* fdtable — the socket fds of a program side's processes (see fdtable.h). */
#include "fdtable.h"

#include <stdio.h>
#include <string.h>

void fdtable_init(struct fdtable *table, pid_t first)
{
	memset(table, 0, sizeof *table);
	if (first > 0)
		fdtable_process(table, first);
}

static struct fdtable_process *find_process(struct fdtable *table, pid_t pid)
{
	for (size_t i = 0; i < table->process_count; i++)
		if (table->processes[i].pid == pid)
			return &table->processes[i];
	return NULL;
}

struct fdtable_process *fdtable_process(struct fdtable *table, pid_t pid)
{
	struct fdtable_process *process = find_process(table, pid);
	if (process || table->process_count == FDTABLE_PROCESSES)
		return process;
	process = &table->processes[table->process_count];
	*process = (struct fdtable_process){
		.pid = pid,
		.parent = table->process_count ? table->processes[0].pid : 0,
		.ordinal = (unsigned)table->process_count,
	};
	if (process->ordinal == 0)
		snprintf(process->row_name, sizeof process->row_name, "main");
	else
		snprintf(process->row_name, sizeof process->row_name, "child%u", process->ordinal);
	table->process_count++;
	return process;
}

struct fdtable_fd *fdtable_find(struct fdtable *table, pid_t pid, int fd)
{
	for (size_t i = 0; i < table->fd_count; i++)
		if (table->fds[i].process == pid && table->fds[i].fd == fd)
			return &table->fds[i];
	return NULL;
}

void fdtable_fork(struct fdtable *table, pid_t parent, pid_t child)
{
	struct fdtable_process *process = fdtable_process(table, child);
	if (process)
		process->parent = parent;
	size_t count = table->fd_count;   /* the parent's, as they were at the fork */
	for (size_t i = 0; i < count; i++)
		if (table->fds[i].process == parent && table->fd_count < FDTABLE_FDS) {
			struct fdtable_fd copy = table->fds[i];
			copy.process = child;
			table->fds[table->fd_count++] = copy;
		}
}

void fdtable_exec(struct fdtable *table, pid_t pid, const char *command)
{
	struct fdtable_process *process = fdtable_process(table, pid);
	if (process)
		snprintf(process->command, sizeof process->command, "%s", command);
}

void fdtable_exit(struct fdtable *table, pid_t pid)
{
	struct fdtable_process *process = find_process(table, pid);
	if (process)
		process->over = true;
	for (size_t i = table->fd_count; i-- > 0;)
		if (table->fds[i].process == pid)
			table->fds[i] = table->fds[--table->fd_count];
}

void fdtable_add(struct fdtable *table, pid_t pid, int fd, uint32_t inode, int family, int type)
{
	fdtable_process(table, pid);
	struct fdtable_fd *held = fdtable_find(table, pid, fd);
	if (!held && table->fd_count < FDTABLE_FDS)
		held = &table->fds[table->fd_count++];
	if (held)
		*held = (struct fdtable_fd){
			.process = pid, .fd = fd, .inode = inode, .family = family, .type = type
		};
}

unsigned fdtable_close(struct fdtable *table, pid_t pid, int fd)
{
	struct fdtable_fd *held = fdtable_find(table, pid, fd);
	if (!held)
		return 0;
	uint32_t inode = held->inode;
	*held = table->fds[--table->fd_count];
	unsigned others = 0;
	for (size_t i = 0; i < table->fd_count; i++)
		others += inode && table->fds[i].inode == inode;
	return others;
}

const char *fdtable_row_name(const struct fdtable *table, pid_t pid)
{
	if (table->process_count < 2)
		return "";
	for (size_t i = 0; i < table->process_count; i++)
		if (table->processes[i].pid == pid)
			return table->processes[i].row_name;
	return "";
}

size_t fdtable_process_count(const struct fdtable *table)
{
	return table->process_count;
}

void fdtable_label(const struct fdtable *table, pid_t pid, const char *side, char *out, size_t size)
{
	for (size_t i = 0; i < table->process_count; i++) {
		const struct fdtable_process *process = &table->processes[i];
		if (process->pid != pid)
			continue;
		if (process->ordinal == 0)
			snprintf(out, size, "%s", side);
		else
			snprintf(out, size, "%s/child%u", side, process->ordinal);
		return;
	}
	if (table->process_count <= 1 && (table->process_count == 0 || pid == 0))
		snprintf(out, size, "%s", side);
	else
		snprintf(out, size, "%s[%d]", side, (int)pid);
}
