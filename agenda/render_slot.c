/*
 * render_slot.c - what every format shows of a slot: its title and key,
 * who presents it under which name, whom it inconveniences (a count), and
 * the per-region daytime summary that replaces per-slot lists of names.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "render_int.h"

const char *render_slot_title(const struct uccn_agenda_input *in, const struct uccn_agenda_slot *s)
{
	if (s->item != SIZE_MAX)
		return in->items[s->item].title;
	if (s->kind == UCCN_AGENDA_LUNCH_BREAK)
		return "Lunch";
	if (s->kind == UCCN_AGENDA_COFFEE_BREAK)
		return "Coffee break";
	return "Break";
}

const char *render_participant_city(const struct uccn_agenda_participant *p)
{
	return p->city ? p->city : "?";
}

const char *render_participant_name(const struct uccn_agenda_participant *p)
{
	return p->name && *p->name ? p->name : render_participant_city(p);
}

const char *render_presenter(const struct uccn_agenda_item *it)
{
	return it->presenter && *it->presenter ? it->presenter : it->city;
}

const char *render_priority_name(enum uccn_agenda_priority p)
{
	return p == UCCN_AGENDA_HIGH ? "high" : p == UCCN_AGENDA_LOW ? "low" : "normal";
}

void render_put_slot_key(struct buf *b, const struct uccn_agenda_input *in,
			 const struct uccn_agenda_slot *s)
{
	if (s->item != SIZE_MAX)
		buf_put(b, in->items[s->item].key);
	else
		buf_printf(b, "break:%d:%02d%02d", s->day + 1, s->start / 60, s->start % 60);
}

void render_put_inconvenienced(struct buf *b, const struct uccn_agenda_slot *s)
{
	buf_printf(b, "inconveniences %zu %s", s->ninconvenienced,
		   s->ninconvenienced == 1 ? "city" : "cities");
}

bool render_shows_inconvenienced(const struct uccn_agenda_input *in, const struct uccn_agenda_slot *s)
{
	return in->hybrid && s->item != SIZE_MAX && s->ninconvenienced > 0;
}

bool render_shows_presenter_time(const struct uccn_agenda_input *in,
				 const struct uccn_agenda_slot *s)
{
	if (s->item == SIZE_MAX)
		return false;
	const struct uccn_agenda_item *it = &in->items[s->item];
	return it->city && it->has_offset && it->offset[s->day] != 0;
}

/* The time of day, not the raw minute count, decides: 08:20 on the next
 * day is daytime, 01:45 is night whatever the date. */
bool render_in_daytime(int start, int end, int off)
{
	int from = start + off;
	int r = ((from % DAY_MINUTES) + DAY_MINUTES) % DAY_MINUTES;
	return r >= UCCN_AGENDA_DAYTIME_FROM && r + (end - start) <= UCCN_AGENDA_DAYTIME_TO;
}

static const struct {
	const char *prefix;
	enum region region;
} region_prefixes[] = {
	{"Europe/", REGION_EUROPE},
	{"Africa/", REGION_AFRICA},
	{"America/", REGION_AMERICAS},
	{"Asia/", REGION_ASIA_PACIFIC},
	{"Australia/", REGION_ASIA_PACIFIC},
	{"Pacific/", REGION_ASIA_PACIFIC},
};

static const char *const region_names[REGION_COUNT] = {
	[REGION_EUROPE] = "Europe",
	[REGION_AFRICA] = "Africa",
	[REGION_AMERICAS] = "Americas",
	[REGION_ASIA_PACIFIC] = "Asia-Pacific",
	[REGION_OTHER] = "other",
};

enum region render_region(const char *tz)
{
	for (size_t i = 0; tz && i < sizeof region_prefixes / sizeof region_prefixes[0]; i++)
		if (strncmp(tz, region_prefixes[i].prefix, strlen(region_prefixes[i].prefix)) == 0)
			return region_prefixes[i].region;
	return REGION_OTHER;
}

const char *render_region_name(enum region r)
{
	return (unsigned)r < REGION_COUNT ? region_names[r] : "other";
}

/* An item is in a region's daytime when the builder marked none of the
 * region's cities as inconvenienced by it: one rule, the builder's. */
void render_count_regions(const struct uccn_agenda_input *in, const struct uccn_agenda *a,
			  struct region_count out[REGION_COUNT])
{
	memset(out, 0, REGION_COUNT * sizeof *out);
	for (size_t p = 0; p < in->nparticipants; p++)
		if (in->participants[p].has_offset)
			out[render_region(in->participants[p].tz)].cities++;
	for (size_t i = 0; i < a->nslots; i++) {
		const struct uccn_agenda_slot *s = &a->slots[i];
		if (s->item == SIZE_MAX)
			continue;
		bool night[REGION_COUNT] = {false};
		for (size_t k = 0; k < s->ninconvenienced; k++) {
			const struct uccn_agenda_participant *p = &in->participants[s->inconvenienced[k]];
			if (p->has_offset)
				night[render_region(p->tz)] = true;
		}
		for (int r = 0; r < REGION_COUNT; r++) {
			if (!out[r].cities)
				continue;
			out[r].items++;
			if (!night[r])
				out[r].daytime++;
		}
	}
}
