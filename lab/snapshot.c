/* snapshot — rows shared between snapshots (model.h).
 *
 * A step's events each keep the snapshot after it, and most rows do not
 * change from one step to the next: a row is allocated once, behind a
 * count of the snapshots that hold it, and every snapshot that shows the
 * same socket in the same state holds that one row. Nothing is shared
 * between threads: the count is a plain integer.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

struct shared_row {
	size_t holders;           /* snapshots that hold the row */
	struct lab_socket row;
};

static struct shared_row *shared_of(const struct lab_socket *row)
{
	return (struct shared_row *)((char *)row - offsetof(struct shared_row, row));
}

static void row_release(const struct lab_socket *row)
{
	struct shared_row *shared = shared_of(row);
	if (--shared->holders == 0)
		free(shared);
}

/* The rows an array made here has room for: a function of the count, so
 * the snapshot needs no field for it. */
static size_t capacity_for(size_t count)
{
	size_t capacity = 8;
	while (capacity < count)
		capacity *= 2;
	return capacity;
}

/* Room for `count` rows. */
static int reserve(struct lab_snapshot *snapshot, size_t count)
{
	if (snapshot->sockets && count <= capacity_for(snapshot->count))
		return 0;
	size_t capacity = capacity_for(count);
	const struct lab_socket **grown = realloc(snapshot->sockets, capacity * sizeof *grown);
	if (!grown)
		return -1;
	snapshot->sockets = grown;
	return 0;
}

int lab_snapshot_append(struct lab_snapshot *snapshot, const struct lab_socket *row)
{
	if (reserve(snapshot, snapshot->count + 1) < 0)
		return -1;
	struct shared_row *shared = malloc(sizeof *shared);
	if (!shared)
		return -1;
	shared->holders = 1;
	memcpy(&shared->row, row, sizeof shared->row);
	snapshot->sockets[snapshot->count++] = &shared->row;
	return 0;
}

int lab_snapshot_append_shared(struct lab_snapshot *snapshot, const struct lab_socket *row)
{
	if (reserve(snapshot, snapshot->count + 1) < 0)
		return -1;
	shared_of(row)->holders++;
	snapshot->sockets[snapshot->count++] = row;
	return 0;
}

int lab_snapshot_copy(struct lab_snapshot *out, const struct lab_snapshot *in)
{
	*out = (struct lab_snapshot){ 0 };
	if (in->count && reserve(out, in->count) < 0)
		return -1;
	for (size_t i = 0; i < in->count; i++) {
		shared_of(in->sockets[i])->holders++;
		out->sockets[i] = in->sockets[i];
	}
	out->count = in->count;
	return 0;
}

struct lab_socket *lab_snapshot_edit(struct lab_snapshot *snapshot, size_t i)
{
	struct shared_row *shared = shared_of(snapshot->sockets[i]);
	if (shared->holders == 1)
		return &shared->row;   /* this snapshot's alone */
	struct shared_row *own = malloc(sizeof *own);
	if (!own)
		return NULL;
	own->holders = 1;
	memcpy(&own->row, &shared->row, sizeof own->row);
	shared->holders--;
	snapshot->sockets[i] = &own->row;
	return &own->row;
}

void lab_snapshot_done(struct lab_snapshot *snapshot)
{
	for (size_t i = 0; i < snapshot->count; i++)
		row_release(snapshot->sockets[i]);
	free(snapshot->sockets);
	*snapshot = (struct lab_snapshot){ 0 };
}
