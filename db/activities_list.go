package db

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Activity log paging bounds.
const (
	DefaultActivityLimit = 50
	MaxActivityLimit     = 500
	exportChunk          = 2000 // rows per query while exporting: memory stays flat, no read transaction lasts long
)

// ActivityCursor is a position in the log, newest first: a page continues with the rows strictly older than it.
type ActivityCursor struct {
	At time.Time
	ID int64
}

// ActivityFilter narrows the activity log. Zero fields do not filter. Every filter has an index ending in
// (at, id); the text search uses FTS5 when SQLite has it (PostgreSQL: the activities.search tsvector), a substring
// match otherwise.
type ActivityFilter struct {
	PropertyID  int64
	HubID       string
	DeviceID    string
	DeviceType  string
	MessageType string // case-insensitive, whole value ("lock" matches "Lock")
	Who         string // case-insensitive, whole value: the webhook's User (a code name, "Auto"), or a guest's name or email
	From, To    time.Time
	Text        string          // words that must all appear (as prefixes) in details, who, device or home name; ordered by arrival
	Before      *ActivityCursor // nil = the newest rows
	Limit       int             // 0 = DefaultActivityLimit; at most MaxActivityLimit
}

// ActivityPage is one page of the log and where the next one starts (nil on the last page).
type ActivityPage struct {
	Items []ActivityView
	Next  *ActivityCursor
}

// pageSQL builds the query of one page's ids (limit rows, in page order) of the filter. It only touches indexes
// and stops at the limit; selectPage then reads the view's columns — names, zone, and the person, a
// correlated lookup — for those rows only. A text search (with FTS5) is driven by the index of words, newest
// arrival first: FTS5 walks its lists in descending rowid order and the walk stops at the limit, where an
// activity-time order would first have to collect and sort every match.
func (s *Store) pageSQL(ctx context.Context, f ActivityFilter, limit int) (string, []any, error) {
	var conds []string
	var args []any
	add := func(cond string, a ...any) {
		conds = append(conds, cond)
		args = append(args, a...)
	}
	if f.PropertyID != 0 {
		add(`a.property_id = ?`, f.PropertyID)
	}
	if f.HubID != "" {
		add(`a.hub_id = ?`, f.HubID)
	}
	if f.DeviceID != "" { // the index is partial (device_id <> ''): the query must say so to use it
		add(`a.device_id = ? AND a.device_id <> ''`, f.DeviceID)
	}
	if f.DeviceType != "" {
		add(`a.device_type = ?`, f.DeviceType)
	}
	if f.MessageType != "" {
		add(`lower(a.message_type) = ?`, strings.ToLower(f.MessageType))
	}
	if f.Who != "" {
		names, err := s.whoNames(ctx, f.Who)
		if err != nil {
			return "", nil, err
		}
		if len(names) == 1 { // one value keeps the index's (at, id) order: no sort
			add(`lower(a.actor) = ? AND a.actor <> ''`, names[0])
		} else {
			add(`lower(a.actor) IN (`+strings.TrimSuffix(strings.Repeat("?,", len(names)), ",")+`) AND a.actor <> ''`, names...)
		}
	}
	if !f.From.IsZero() {
		add(`a.at >= ?`, ms(f.From))
	}
	if !f.To.IsZero() {
		add(`a.at < ?`, ms(f.To))
	}
	terms := searchTerms(f.Text)
	byArrival := len(terms) > 0 && s.FullTextSearch()
	if len(terms) > 0 && !byArrival {
		for _, t := range terms {
			p := likePattern(t)
			add(`(a.details LIKE ? ESCAPE '\' OR a.actor LIKE ? ESCAPE '\'
				OR a.device_name LIKE ? ESCAPE '\' OR a.home_name LIKE ? ESCAPE '\')`, p, p, p, p)
		}
	}
	var q string
	switch {
	case byArrival && s.dialect == dialectPostgres:
		// The GIN index of the generated activities.search column (migrations/postgres/0002) finds the matches; the
		// primary key walks them newest arrival first, as FTS5's descending rowid does on SQLite.
		if f.Before != nil {
			add(`a.id < ?`, f.Before.ID)
		}
		q = `SELECT a.id FROM activities a WHERE a.search @@ to_tsquery('simple', ?)` + andAll(conds) +
			` ORDER BY a.id DESC LIMIT ?`
		args = append([]any{tsQuery(terms)}, args...)
	case byArrival:
		if f.Before != nil {
			add(`fts.rowid < ?`, f.Before.ID)
		}
		q = `SELECT fts.rowid AS id FROM activities_fts fts JOIN activities a ON a.id = fts.rowid
			WHERE activities_fts MATCH ?` + andAll(conds) + ` ORDER BY fts.rowid DESC LIMIT ?`
		args = append([]any{ftsQuery(terms)}, args...)
	default:
		if f.Before != nil {
			add(`(a.at, a.id) < (?, ?)`, ms(f.Before.At), f.Before.ID)
		}
		where := ""
		if len(conds) > 0 {
			where = " WHERE " + strings.Join(conds, " AND ")
		}
		q = `SELECT a.id FROM activities a` + where + ` ORDER BY a.at DESC, a.id DESC LIMIT ?`
	}
	return s.caseless(q), append(args, limit), nil
}

// activityByIDSQL reads the view of the activities whose ids are in a JSON array. The array drives the join
// (CROSS JOIN keeps it outermost), so SQLite opens no temporary table or sorter: those cost more than reading a
// page of rows.
var activityByIDSQL = strings.Replace(activityViewSelect, "FROM activities a",
	"FROM json_each(?) pg CROSS JOIN activities a ON a.id = pg.value", 1)

// activityByIDPostgres is the same read on PostgreSQL, whose planner needs no help to start from the list.
var activityByIDPostgres = activityViewSelect + ` WHERE a.id IN (` + jsonValues("pgx", true) + `)`

// selectPage reads one page of the filter (limit rows) in one snapshot: its ids, then their rows, in the ids' order.
func (s *Store) selectPage(ctx context.Context, f ActivityFilter, limit int, rows *[]activityRow) error {
	q, args, err := s.pageSQL(ctx, f, limit)
	if err != nil {
		return err
	}
	return s.readTx(ctx, func(tx *dbTx) error {
		var ids []int64
		if err := tx.SelectContext(ctx, &ids, q, args...); err != nil || len(ids) == 0 {
			return err
		}
		list := make([]byte, 0, len(ids)*8+2)
		pos := make(map[int64]int, len(ids))
		list = append(list, '[')
		for i, id := range ids {
			if i > 0 {
				list = append(list, ',')
			}
			list = strconv.AppendInt(list, id, 10)
			pos[id] = i
		}
		list = append(list, ']')
		byID := activityByIDSQL
		if s.dialect == dialectPostgres {
			byID = activityByIDPostgres
		}
		if err := tx.SelectContext(ctx, rows, byID, string(list)); err != nil {
			return err
		}
		slices.SortFunc(*rows, func(a, b activityRow) int { return pos[a.ID] - pos[b.ID] })
		return nil
	})
}

func andAll(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " AND " + strings.Join(conds, " AND ")
}

// whoNames is the Who filter's values, lower-cased: the value itself, and the names of the lock codes issued for
// a reservation guest or an invitation resident of that name or email.
func (s *Store) whoNames(ctx context.Context, who string) ([]any, error) {
	who = strings.ToLower(who)
	var names []string
	if err := s.r.SelectContext(ctx, &names, whoSQL, who, who, who, who, who); err != nil {
		return nil, fmt.Errorf("db: who %q: %w", who, err)
	}
	out := make([]any, len(names))
	for i, n := range names {
		out[i] = n
	}
	return out, nil
}

// maxSearchTerms bounds the words of one search (each is a prefix query).
const maxSearchTerms = 8

// searchTerms splits a search into words: letters and digits; everything else separates. FTS5 and tsquery would
// treat most punctuation as syntax, so none of it reaches the query. Bytes that are not UTF-8 separate too:
// PostgreSQL refuses them in any text argument.
func searchTerms(q string) []string {
	words := strings.FieldsFunc(strings.ToLower(strings.ToValidUTF8(q, " ")), func(r rune) bool {
		return !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r > 127)
	})
	if len(words) > maxSearchTerms {
		words = words[:maxSearchTerms]
	}
	return words
}

// ftsQuery makes every word a quoted prefix query, ANDed: "jane"* "doe"*.
func ftsQuery(terms []string) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"*`
	}
	return strings.Join(parts, " ")
}

// maxLexemeBytes bounds one word of a PostgreSQL search: tsquery refuses a word over 2 KiB ("word is too long"),
// and a prefix of 256 bytes already singles out anything real.
const maxLexemeBytes = 256

// tsQuery makes every word a quoted prefix lexeme, ANDed: 'jane':* & 'doe':*. Quoting makes to_tsquery read the
// word as text, never as an operator; searchTerms already left out the quote and the backslash, escaped anyway so
// the quoting does not depend on it.
func tsQuery(terms []string) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		if len(t) > maxLexemeBytes {
			t = strings.ToValidUTF8(t[:maxLexemeBytes], "") // the cut may split a character
		}
		t = strings.ReplaceAll(strings.ReplaceAll(t, `\`, `\\`), `'`, `''`)
		parts[i] = `'` + t + `':*`
	}
	return strings.Join(parts, " & ")
}

// ListActivities returns one page of the log, newest first: by activity time (then id), or, for a full-text search
// (FTS5 or PostgreSQL's tsvector), by arrival (id).
func (s *Store) ListActivities(ctx context.Context, f ActivityFilter) (ActivityPage, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultActivityLimit
	}
	limit = min(limit, MaxActivityLimit)
	rows := []activityRow{}
	if err := s.selectPage(ctx, f, limit+1, &rows); err != nil {
		return ActivityPage{}, fmt.Errorf("db: list activities: %w", err)
	}
	var pg ActivityPage
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		pg.Next = &ActivityCursor{At: fromMS(last.At), ID: last.ID}
	}
	pg.Items = make([]ActivityView, len(rows))
	for i, r := range rows {
		pg.Items[i] = r.view()
	}
	return pg, nil
}

// EachActivity calls fn for every activity the filter matches (Before and Limit ignored), newest first. It reads
// in chunks of a few thousand rows, each in its own short read, so memory stays flat and the WAL can checkpoint
// during a long export. fn's error stops the walk and is returned as is.
func (s *Store) EachActivity(ctx context.Context, f ActivityFilter, fn func(ActivityView) error) error {
	f.Before, f.Limit = nil, 0
	rows := make([]activityRow, 0, exportChunk)
	for {
		rows = rows[:0]
		if err := s.selectPage(ctx, f, exportChunk, &rows); err != nil {
			return fmt.Errorf("db: export activities: %w", err)
		}
		for _, r := range rows {
			if err := fn(r.view()); err != nil {
				return err
			}
		}
		if len(rows) < exportChunk {
			return nil
		}
		last := rows[len(rows)-1]
		f.Before = &ActivityCursor{At: fromMS(last.At), ID: last.ID}
	}
}

// RecentActivities is the newest n activities of one scope (property, hub or device), for the live feeds of the
// detail pages.
func (s *Store) RecentActivities(ctx context.Context, f ActivityFilter, n int) ([]ActivityView, error) {
	f.Limit, f.Before = n, nil
	pg, err := s.ListActivities(ctx, f)
	return pg.Items, err
}
