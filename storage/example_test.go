package storage_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/tenants"
)

// ExampleOpen opens the embedded default, which needs no database server.
func ExampleOpen() {
	ctx := context.Background()
	db, err := storage.Open(ctx, "sqlite://:memory:")
	if err != nil {
		panic(err)
	}
	defer db.Close()
	// A tenant is built on one of the two presets and subscribes to apps; the
	// Retail Engine preset's policy P_RE_001 needs apps.retail active.
	err = db.Tenants().Create(ctx, tenants.Tenant{
		ID: "bank", Name: "Example Bank", Preset: authz.PresetRetailEngine,
		Apps: map[authz.App]authz.AppState{authz.AppRetail: authz.AppActive},
	})
	fmt.Println(db.Dialect(), err)
	t, _ := db.Tenants().Get(ctx, "bank")
	fmt.Println(t.Name)
	// Output:
	// sqlite <nil>
	// Example Bank
}

// ExampleDB_InTx runs the app's own write and a library write in one
// transaction: both commit, or (when anything fails) neither does. The app
// hands over its own pool with OpenDB; Open with a DSN works the same.
func ExampleDB_InTx() {
	ctx := context.Background()
	pool, err := sql.Open("sqlite", "file::memory:?_pragma=foreign_keys(1)&_txlock=immediate")
	if err != nil {
		panic(err)
	}
	defer pool.Close()
	pool.SetMaxOpenConns(1) // each connection to :memory: is a database of its own
	db, err := storage.OpenDB(ctx, pool, storage.SQLite)
	if err != nil {
		panic(err)
	}
	_ = db.Tenants().Create(ctx, tenants.Tenant{
		ID: "bank", Name: "Example Bank", Preset: authz.PresetRetailEngine,
		Apps: map[authz.App]authz.AppState{authz.AppRetail: authz.AppActive},
	})
	az, _ := authz.New(db.Authz(), db.Authz())
	svc, _ := clients.New(db.Clients(), az)
	admin := authz.Principal{TenantID: "bank", UserID: "u1", Kind: authz.Backoffice, Roles: []string{authz.RetailAdministrator}}
	_, _ = pool.ExecContext(ctx, "CREATE TABLE loan_applications (client_id TEXT NOT NULL)")

	apply := func(name string, fail bool) error {
		return db.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			// The library call gets the ctx InTx passed in: it joins the transaction.
			c, err := svc.Create(ctx, admin, clients.CreateInput{Type: clients.Individual, Profile: clients.Profile{
				OfficeID:   "nairobi",
				Individual: &clients.Person{FirstName: name, LastName: "Otieno", DateOfBirth: "1990-04-12", NationalID: "1" + name},
			}}, "")
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO loan_applications (client_id) VALUES (?)", c.ID); err != nil {
				return err
			}
			if fail {
				return errors.New("credit check failed")
			}
			return nil
		})
	}
	fmt.Println(apply("Amina", false))
	fmt.Println(apply("Baraka", true))

	var applications int
	_ = pool.QueryRowContext(ctx, "SELECT count(*) FROM loan_applications").Scan(&applications)
	page, _ := svc.List(ctx, admin, clients.ListRequest{})
	fmt.Println(applications, len(page.Clients), page.Clients[0].DisplayName)
	// Output:
	// <nil>
	// credit check failed
	// 1 1 Amina Otieno
}

// ExampleWithMaxConns sizes the PostgreSQL pool of a process that shares
// its server with three others: 8 connections each, for a server that runs
// about 32 at once. (Not run: it needs a PostgreSQL server.)
func ExampleWithMaxConns() {
	ctx := context.Background()
	db, err := storage.Open(ctx, "postgres://app@db.internal:5432/clientele?sslmode=verify-full",
		storage.WithMaxConns(8))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	fmt.Println(db.SQL().Stats().MaxOpenConnections) // 8
}
