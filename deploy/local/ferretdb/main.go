// Command ferretdb-local runs FerretDB v1 with its SQLite backend for local development and tests.
//
// `go install` of FerretDB's own command panics on a missing build version file,
// so this launcher embeds the library package instead.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen-addr", "127.0.0.1:27017", "address to listen on")
	dataDir := flag.String("data-dir", "data", "directory holding the SQLite databases")
	flag.Parse()

	if err := os.MkdirAll(*dataDir, 0o755); err != nil {
		log.Fatalf("cannot create data dir: %v", err)
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Handler:   "sqlite",
		SQLiteURL: "file:" + *dataDir + "/",
	})
	if err != nil {
		log.Fatalf("cannot configure FerretDB: %v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	fmt.Println("ferretdb-local listening at", f.MongoDBURI())
	f.Run(ctx)
}
