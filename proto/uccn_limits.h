/*
 * uccn_limits.h - every limit of the protocol and the records, named once.
 * proto/SPEC.md ("Limits") repeats these numbers; the tests probe each one at
 * and just past its value.
 */
#ifndef UCCN_LIMITS_H
#define UCCN_LIMITS_H

#define UCCN_PROTO_VERSION 1

/* Frames. A request is small; a reply may carry a page of posts. */
#define UCCN_MAX_REQUEST_FRAME (128 * 1024)
#define UCCN_MAX_REPLY_FRAME (8 * 1024 * 1024)
/* Requests one connection may have outstanding (sent, not yet answered,
 * held watches included); past it a request is answered busy at once.
 * Well under the server's send high-water mark (UCCN_MAX_QUEUED_REPLIES), so
 * the replies a connection is owed always fit in its queue. */
#define UCCN_MAX_OUTSTANDING 64
/* Watch requests one city may have held at once, over all its connections
 * (SPEC 2.1): the server's watch slots are shared, and without a share per
 * city one member could take them all. */
#define UCCN_MAX_WATCHES_PER_CITY 8
/* Bytes of replies the server keeps queued for one connection that has not
 * read them yet (SPEC 2.1): two of the largest replies. Past it a reply is
 * replaced by a short busy, so a peer that does not read costs the server
 * this much, not what it asks for. */
#define UCCN_MAX_QUEUED_REPLY_BYTES (2 * UCCN_MAX_REPLY_FRAME)
/* Replies the server keeps queued for one connection (SPEC 2.1); one more
 * is dropped. Four times what one turn of the server's loop may answer
 * (it reads at most 1024 requests a turn), so replies the server makes in
 * one turn are never dropped because its own I/O thread has not written
 * the earlier ones yet: only a peer that does not read loses replies. */
#define UCCN_MAX_QUEUED_REPLIES 4096
/* msgpack nesting (a request is a map holding at most a map of scalars). */
#define UCCN_MAX_DEPTH 4
/* msgpack objects (every scalar, string, array and map counts one). */
#define UCCN_MAX_REQUEST_OBJECTS 16384
#define UCCN_MAX_REPLY_OBJECTS (64 * 1024)

/* Strings, in bytes of UTF-8, not counting a terminating NUL. */
#define UCCN_MAX_ID 64          /* city, project and meeting ids */
#define UCCN_MAX_FIELD 32       /* a creative field's name */
#define UCCN_MAX_NAME 200       /* a city's display name */
#define UCCN_MAX_COUNTRY 100
#define UCCN_MAX_TZ 64          /* an IANA zone name */
#define UCCN_MAX_TITLE 200
#define UCCN_MAX_BODY (64 * 1024)
#define UCCN_MAX_IDEM_KEY 128   /* a client's idempotency key */
#define UCCN_MAX_OP 32
#define UCCN_MAX_MESSAGE 512    /* an error reply's message */
#define UCCN_MAX_SERVER 64      /* the server's version string */
#define UCCN_MAX_PATH 4096      /* the data directory status reports */
#define UCCN_MAX_DESCRIPTION 4096 /* a project's description */
#define UCCN_MAX_PLACE 200      /* a meeting's place */
#define UCCN_MAX_LIST 64        /* partners, hosts or fields of one record */
#define UCCN_MAX_ROLE 16        /* a city's role ("secretariat") */
#define UCCN_MAX_KIND 32        /* a post's or a meeting's kind */
#define UCCN_MAX_STATUS 16      /* a project's or a meeting's status */
#define UCCN_MAX_DATE 10        /* a date, YYYY-MM-DD */
#define UCCN_MAX_HHMM 5         /* a time of day, HH:MM */
#define UCCN_MAX_PRIORITY 8     /* an agenda item's priority ("normal") */
#define UCCN_MAX_PIN 8          /* an agenda item's pin, DAY:HH:MM */
#define UCCN_MAX_LOG_LEVEL 8    /* admin.log's level ("debug") */
/* admin.backup (SPEC 4.20): a backup's id (hex), the bytes of one chunk
 * of it (a reply frame holds one with room to spare), its manifest (JSON
 * text), its checksum (BLAKE2b-256, hex) and the first problem the check
 * of its data found. */
#define UCCN_BACKUP_ID_LEN 16
#define UCCN_BACKUP_CHUNK (1024 * 1024)
#define UCCN_BACKUP_MAX_MANIFEST 4096
#define UCCN_BACKUP_CHECKSUM_HEX 64
#define UCCN_BACKUP_MAX_PROBLEM 512

/* Numbers. */
#define UCCN_MAX_MINUTES 720    /* requested minutes of an agenda item (a day) */
#define UCCN_MAX_LAT 90         /* degrees of latitude, either way */
#define UCCN_MAX_LON 180        /* degrees of longitude, either way */
#define UCCN_MIN_YEAR 2004      /* the network was founded in 2004 */
#define UCCN_MAX_YEAR 2100
/* A meeting's longest session between breaks (its max_session), minutes on
 * the agenda's 5-minute grid; absent means UCCN_DEFAULT_SESSION. The agenda
 * builder's UCCN_AGENDA_MAX_SESSION is the same number. */
#define UCCN_MIN_SESSION 30
#define UCCN_MAX_SESSION 240
#define UCCN_DEFAULT_SESSION 90
#define UCCN_SESSION_GRID 5

/* Cities in one city.import or city.import.stage request. The frame limit
 * binds first for long rows: a larger import is staged in chunks under an
 * import id and committed in one transaction (SPEC 4.12.1). */
#define UCCN_MAX_IMPORT 800
/* Cities of one staged import, all chunks and the commit together. */
#define UCCN_MAX_IMPORT_TOTAL 20000
/* Staged imports a server holds at once; another is busy. */
#define UCCN_MAX_OPEN_IMPORTS 4
/* A staged import no request has named for this long is dropped. */
#define UCCN_IMPORT_IDLE_S 600
/* An import id: this many lower-case hex digits, drawn at random. */
#define UCCN_IMPORT_ID_HEX 16
/* Fields an import kept because they were changed by hand: the reply
 * counts them all and names the first UCCN_IMPORT_KEPT_LIST ("krakow.name"). */
#define UCCN_IMPORT_KEPT_LIST 50
#define UCCN_MAX_KEPT_NAME (UCCN_MAX_ID + 16)

/* Messaging. */
#define UCCN_MAX_AUDIENCE 8        /* --to targets of one post */
#define UCCN_MAX_AUDIENCE_SPEC (8 + UCCN_MAX_ID) /* "project:<id>" */
#define UCCN_MAILBOX_QUOTA 10000   /* unread posts a mailbox holds */
#define UCCN_INBOX_DEFAULT 100     /* posts an inbox reply carries */
#define UCCN_WATCH_MAX_WAIT_MS 60000 /* longest a watch request is held */
#define UCCN_WATCH_DEFAULT 100     /* posts a watch reply carries */

/* A published agenda's lines (slots and deferred items). */
#define UCCN_MAX_AGENDA_ENTRIES 1000
#define UCCN_MAX_AGENDA_DAY 99  /* an entry's day, a pin's DAY, from 1 */
#define UCCN_MINUTES_PER_DAY (24 * 60) /* an entry's start and end, after local midnight */
#define UCCN_MAX_ENTRY_KEY (UCCN_MAX_ID + 16) /* an item's key, "project:<id>" */
#define UCCN_MAX_ENTRY_TITLE (UCCN_MAX_TITLE + 64) /* a post's title and what the agenda adds */
#define UCCN_MAX_REASON 200     /* why an item was deferred */
#define UCCN_MAX_DEFERRALS 99   /* how many agendas deferred an entry's item */

/* Lists. */
#define UCCN_LIST_DEFAULT 20
#define UCCN_LIST_MAX 500

/* A CURVE public or secret key in Z85 text. */
#define UCCN_KEY_Z85_LEN 40

/* Invitations (city.invite, city.enrol). */
#define UCCN_MAX_ENDPOINT 200                   /* bytes of an endpoint */
#define UCCN_INVITE_DEFAULT_S (7 * 24 * 3600)   /* valid a week unless told */
#define UCCN_INVITE_MAX_S (90 * 24 * 3600)      /* and never past 90 days */

#endif
