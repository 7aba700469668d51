package db

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// Booleans are INTEGER 0/1 columns in both dialects (migrations/postgres/0001_init.sql), so that every query that
// compares or sums them (online = 0, SUM(ok)) is written once. SQLite's driver writes a Go bool as 1 or 0; pgx
// refuses to encode a bool into an integer parameter. registerIntBools makes pgx do what SQLite's driver does, on
// every connection of the store's pools: a bool argument for an int2, int4 or int8 parameter is sent as 1 or 0.
// Reading needs nothing: database/sql scans an integer 0/1 into a bool for both drivers.

// registerIntBools is the pools' AfterConnect hook.
func registerIntBools(_ context.Context, conn *pgx.Conn) error {
	m := conn.TypeMap()
	for _, t := range []struct {
		name  string
		oid   uint32
		codec pgtype.Codec
	}{
		{"int2", pgtype.Int2OID, pgtype.Int2Codec{}},
		{"int4", pgtype.Int4OID, pgtype.Int4Codec{}},
		{"int8", pgtype.Int8OID, pgtype.Int8Codec{}},
	} {
		m.RegisterType(&pgtype.Type{Name: t.name, OID: t.oid, Codec: intBoolCodec{t.codec}})
	}
	return nil
}

// intBoolCodec is an integer codec that also encodes a bool, as 1 or 0.
type intBoolCodec struct{ pgtype.Codec }

func (c intBoolCodec) PlanEncode(m *pgtype.Map, oid uint32, format int16, value any) pgtype.EncodePlan {
	if _, ok := value.(bool); ok {
		if next := m.PlanEncode(oid, format, int64(0)); next != nil {
			return boolAsInt{next}
		}
		return nil
	}
	return c.Codec.PlanEncode(m, oid, format, value)
}

// boolAsInt encodes a bool through the integer plan next.
type boolAsInt struct{ next pgtype.EncodePlan }

func (p boolAsInt) Encode(value any, buf []byte) ([]byte, error) {
	var n int64
	if value.(bool) {
		n = 1
	}
	return p.next.Encode(n, buf)
}
