/* resend — copies of a held segment, released or dropped as one. */
#include "resend.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"

void resend_clear(struct resend_table *table)
{
	memset(table, 0, sizeof *table);
}

static bool same(const struct resend_key *key, const struct held_segment *segment)
{
	return key->flag_bits == segment->flag_bits && key->raw_seq == segment->raw_seq
		&& key->length == segment->payload_length
		&& lab_address_equal(&key->source, &segment->source_address)
		&& lab_address_equal(&key->destination, &segment->destination_address);
}

static struct resend_key *find(struct resend_table *table, const struct held_segment *segment)
{
	for (size_t i = 0; i < table->count; i++)
		if (same(&table->keys[i], segment))
			return &table->keys[i];
	return NULL;
}

static struct resend_key *add(struct resend_table *table, const struct held_segment *segment)
{
	struct resend_key *key = &table->keys[0];
	if (table->count < RESEND_KEYS_MAX) {
		key = &table->keys[table->count++];
	} else {
		for (size_t i = 1; i < table->count; i++)
			if (table->keys[i].used < key->used)
				key = &table->keys[i];
	}
	memset(key, 0, sizeof *key);
	key->source = segment->source_address;
	key->flag_bits = segment->flag_bits;
	key->destination = segment->destination_address;
	key->raw_seq = segment->raw_seq;
	key->length = segment->payload_length;
	key->last_us = segment->held_at_us;
	return key;
}

static bool announced(const struct resend_table *table, uint32_t id)
{
	for (size_t i = 0; i < table->announced_count; i++)
		if (table->announced[i] == id)
			return true;
	return false;
}

static void announce(struct resend_table *table, uint32_t id)
{
	if (table->announced_count == RESEND_ANNOUNCED_MAX) {
		memmove(table->announced, table->announced + 1,
			sizeof table->announced - sizeof table->announced[0]);
		table->announced_count--;
	}
	table->announced[table->announced_count++] = id;
}

/* Only segments that take sequence space are resent by a timer. */
static bool resendable(const struct held_segment *segment)
{
	/* data, SYN, FIN */
	return segment->decoded && (segment->payload_length || (segment->flag_bits & 0x03));
}

/* Appends one copy's sentence to `said`, in English or (`shown`) the
 * interface's language: whole sentences only, "..." once when the rest does
 * not fit. */
static void say_copy(char *said, size_t size, bool shown, const char *flags, const char *name,
		     long long timer_s, const char *what)
{
	static const char *const from_format =
		N_("the kernel resent the %s from %s (retransmission timer, %lld s after the one "
		   "before): %s");
	static const char *const format = N_(
		"the kernel resent the %s (retransmission timer, %lld s after the one before): %s");
	char sentence[480];
	if (name)
		snprintf(sentence, sizeof sentence, shown ? _(from_format) : from_format, flags,
			 name, timer_s, shown ? _(what) : what);
	else
		snprintf(sentence, sizeof sentence, shown ? _(format) : format, flags, timer_s,
			 shown ? _(what) : what);
	size_t at = strlen(said);
	if (at + 2 + strlen(sentence) + 5 < size)
		snprintf(said + at, size - at, "%s%s", at ? "; " : "", sentence);
	else if (at + 5 < size && (at < 3 || strcmp(said + at - 3, "...") != 0))
		snprintf(said + at, size - at, "; ...");
}

int resend_tidy(struct resend_table *table, struct hold *hold, bool drop_duplicates,
		resend_sender_fn *sender, void *context, struct resend_said *said, char **err)
{
	int copies = 0;
	for (size_t i = 0; i < hold_count(hold);) {
		const struct held_segment *segment = hold_peek(hold, i);
		if (!resendable(segment) || announced(table, segment->id)) {
			i++;
			continue;
		}
		struct resend_key *key = find(table, segment);
		announce(table, segment->id);
		if (!key) {
			key = add(table, segment);
			key->used = ++table->clock;
			i++;
			continue;   /* the original */
		}
		key->used = ++table->clock;
		long long timer_s = (segment->held_at_us - key->last_us + 500000) / 1000000;
		key->last_us = segment->held_at_us;
		const char *name = sender ? sender(context, segment) : NULL;
		bool duplicate = key->through && drop_duplicates;
		const char *what = duplicate
			? N_("the first went through, so the lab dropped this copy")
			: key->through ? N_("the first went through; this copy is held too")
			: key->dropped
			? N_("the one before was dropped, this copy is held")
			: N_("a copy of the one still held (release() lets one through)");
		say_copy(said->english, said->size, false, segment->flags, name, timer_s, what);
		if (said->shown)
			say_copy(said->shown, said->size, true, segment->flags, name, timer_s,
				 what);
		copies++;
		key->dropped = false;
		if (duplicate) {
			if (hold_drop_at(hold, i, err) < 0)
				return -1;
			i = 0;   /* the drop collected: start over (announced copies are skipped) */
			continue;
		}
		i++;
	}
	return copies;
}

int resend_release_at(struct resend_table *table, struct hold *hold, size_t index, bool drop_copies,
		      char **err)
{
	const struct held_segment *segment = hold_peek(hold, index);
	if (!segment)
		return hold_release_at(hold, index, err);
	struct held_segment released = *segment;
	if (hold_release_at(hold, index, err) < 0)
		return -1;
	if (!resendable(&released))
		return 0;
	struct resend_key *key = find(table, &released);
	if (!key)
		key = add(table, &released);
	key->through = true;
	key->used = ++table->clock;
	announce(table, released.id);
	/* The other copies would reach the receiver as duplicates. */
	for (size_t i = 0; drop_copies && i < hold_count(hold);) {
		const struct held_segment *copy = hold_peek(hold, i);
		if (same(key, copy)) {
			announce(table, copy->id);
			if (hold_drop_at(hold, i, err) < 0)
				return -1;
			i = 0;
			continue;
		}
		i++;
	}
	return 0;
}

int resend_drop_at(struct resend_table *table, struct hold *hold, size_t index, char **err)
{
	const struct held_segment *segment = hold_peek(hold, index);
	if (segment && resendable(segment)) {
		struct resend_key *key = find(table, segment);
		if (!key)
			key = add(table, segment);
		key->used = ++table->clock;
		key->dropped = true;
		announce(table, segment->id);
	}
	return hold_drop_at(hold, index, err);
}
