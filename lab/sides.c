/* sides — a side's names, fds and socket kinds (sides.h). */
#include "sides.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct name_binding *side_find_name(struct side *side, const char *name)
{
	for (int i = side->name_count - 1; i >= 0; i--)
		if (strcmp(side->names[i].name, name) == 0)
			return &side->names[i];
	return NULL;
}

void side_bind_name(struct side *side, const char *name, int fd)
{
	/* A number now named anew is no longer the old name's. */
	for (int i = 0; i < side->name_count; i++)
		if (side->names[i].fd == fd)
			side->names[i].closed = true;
	struct name_binding *binding = side_find_name(side, name);
	if (!binding && side->name_count < MAX_NAMES)
		binding = &side->names[side->name_count++];
	if (!binding)
		return;
	text_copy(binding->name, sizeof binding->name, name);
	binding->fd = fd;
	binding->closed = false;
}

const char *side_name_of_fd(const struct side *side, int fd)
{
	for (int i = 0; i < side->name_count; i++)
		if (side->names[i].fd == fd && !side->names[i].closed)
			return side->names[i].name;
	return "";
}

struct fd_kind *side_find_kind(struct side *side, int fd)
{
	for (int i = 0; i < side->kind_count; i++)
		if (side->kinds[i].fd == fd)
			return &side->kinds[i];
	return NULL;
}

/* Room for one more element in a side's array of `*capacity`; false when
 * out of memory (the element is then not kept). */
static bool make_room(void **array, int *capacity, int count, size_t element_size)
{
	if (count < *capacity)
		return true;
	int grown_capacity = *capacity ? *capacity * 2 : 16;
	void *grown = realloc(*array, (size_t)grown_capacity * element_size);
	if (!grown)
		return false;
	*array = grown;
	*capacity = grown_capacity;
	return true;
}

void side_set_kind(struct side *side, int fd, int family, int type)
{
	struct fd_kind *kind = side_find_kind(side, fd);
	if (!kind
	    && make_room((void **)&side->kinds, &side->kind_capacity, side->kind_count,
			 sizeof *side->kinds))
		kind = &side->kinds[side->kind_count++];
	if (kind)
		*kind = (struct fd_kind){ .fd = fd, .family = family, .type = type & 0xf };
}

void side_drop_kind(struct side *side, int fd)
{
	struct fd_kind *kind = side_find_kind(side, fd);
	if (kind)
		*kind = side->kinds[--side->kind_count];
}

void side_keep_fd(struct side *side, int fd, uint32_t inode)
{
	for (int i = 0; i < side->fd_count; i++)
		if (side->fds[i].fd == fd) {
			side->fds[i].inode = inode;
			return;
		}
	if (make_room((void **)&side->fds, &side->fd_capacity, side->fd_count, sizeof *side->fds))
		side->fds[side->fd_count++] = (struct held_fd){ .fd = fd, .inode = inode };
}

void side_release_fd(struct side *side, int fd)
{
	for (int i = 0; i < side->fd_count; i++)
		if (side->fds[i].fd == fd) {
			side->fds[i] = side->fds[--side->fd_count];
			return;
		}
}

void side_mark_produced(struct side *side, long fd)
{
	if (fd >= 0 && fd < MAX_PRODUCED)
		side->produced[fd / 64] |= (uint64_t)1 << (fd % 64);
}

static bool was_produced(const struct side *side, int fd)
{
	return fd >= 0 && fd < MAX_PRODUCED && (side->produced[fd / 64] >> (fd % 64)) & 1;
}

/* A puppet's call may name only fds this side's calls returned: its
 * process also holds 0-2 (/dev/null) and the lab's channel, which no
 * lesson may touch. The refusal reads like the kernel's EBADF. */
void side_refuse_foreign_fds(const struct side *side, const struct puppet_request *request,
			     struct refusal *refusal)
{
	for (int i = 0; i < request->fd_count && i < PUPPET_MAX_WATCHED; i++) {
		int fd = request->fds[i];
		if (fd >= 0 && !was_produced(side, fd))   /* a negative number reaches nothing */
			refuse(refusal, EBADF,
			       "fd %d is not one of this side's sockets (no call of this side "
			       "returned it)",
			       fd);
	}
}
