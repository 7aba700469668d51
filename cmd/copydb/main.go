// Command copydb copies a dashboard's SQLite database into PostgreSQL, for a deployment that outgrows one machine:
//
//	DATABASE_URL=postgres://user:pass@host/dashboard copydb -from ./data/dashboard.db
//
// The target is migrated to this program's schema first and must hold no data; the SQLite file must be at the same
// schema version (run this version of the dashboard on it once) and is only read. Stop the dashboard first: what it
// writes after the copy's snapshot is not copied. All logic lives in db.CopySQLite.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/keyless/dashboard/db"
)

func main() {
	if err := run(context.Background(), os.Args, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "copydb:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(stdout)
	from := fs.String("from", getenv("DATABASE_PATH"), "the SQLite database file to copy (default $DATABASE_PATH)")
	to := fs.String("to", getenv("DATABASE_URL"), "the PostgreSQL database URL (default $DATABASE_URL)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if *from == "" || *to == "" {
		return errors.New("name the SQLite file (-from or DATABASE_PATH) and the PostgreSQL URL (-to or DATABASE_URL)")
	}
	begin := time.Now()
	dst, err := db.OpenPostgres(ctx, *to)
	if err != nil {
		return err
	}
	defer dst.Close()
	rep, err := db.CopySQLite(ctx, *from, dst)
	if err != nil {
		return err
	}
	var rows int64
	for _, t := range rep.Tables {
		fmt.Fprintf(stdout, "%-28s %10d rows\n", t.Name, t.Rows)
		rows += t.Rows
	}
	for _, name := range rep.Skipped {
		fmt.Fprintf(stdout, "%-28s %10s (PostgreSQL only)\n", name, "-")
	}
	fmt.Fprintf(stdout, "copied %d rows in %d tables from %s in %s; %d sequences set past the copied ids\n",
		rows, len(rep.Tables), *from, time.Since(begin).Round(time.Millisecond), rep.Sequences)
	return nil
}
