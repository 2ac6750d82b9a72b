import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;

/**
 * The local MongoDB-wire server of Redzaam's development machines and CI: mongo-java-server with its H2 MVStore
 * backend, which uses its _id and unique indexes and applies each operation on a collection under one lock.
 *
 * <p>Two things the stock launcher does not do, and this one does:
 * <ul>
 *   <li>it commits the store after every command that writes, before the reply goes out, so an acknowledged write
 *       is in the file and survives a SIGKILL of the server (the stock store commits on a one-second timer);</li>
 *   <li>it reports wire version 13 (MongoDB 5.0), the subset the platform uses; PyMongo 4.20 refuses the stock 8.</li>
 * </ul>
 *
 * <p>Usage: {@code java -cp 'classes:libs/*' RedzaamMongoServer <host> <port> <store file>}
 */
public final class RedzaamMongoServer {

    private static final Set<String> WRITE_COMMANDS = Set.of(
        "insert", "update", "delete", "findandmodify", "createindexes", "dropindexes", "drop", "dropdatabase",
        "create", "renamecollection");

    private static final MongoVersion REPORTED_VERSION = new MongoVersion() {
        @Override
        public List<Integer> getVersionArray() {
            return List.of(5, 0, 0);
        }

        @Override
        public int getWireVersion() {
            return 13;
        }
    };

    /** Commits the MVStore after each write command, so that what was acknowledged is on disk. */
    static final class CommittingH2Backend extends H2Backend {

        CommittingH2Backend(String fileName) {
            super(fileName);
        }

        @Override
        public Document handleCommand(Channel channel, String database, String command, Document query) {
            if (!WRITE_COMMANDS.contains(command.toLowerCase(Locale.ROOT))) {
                return super.handleCommand(channel, database, command, query);
            }
            try {
                return super.handleCommand(channel, database, command, query);
            } finally {
                // also after a failed command: an unordered insert may have stored part of its documents
                commit();
            }
        }
    }

    private RedzaamMongoServer() {
    }

    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: RedzaamMongoServer <host> <port> <store file>");
            System.exit(2);
        }
        CommittingH2Backend backend = new CommittingH2Backend(args[2]);
        backend.version(REPORTED_VERSION);
        MongoServer server = new MongoServer(backend);
        server.bind(new InetSocketAddress(args[0], Integer.parseInt(args[1])));
        System.out.println("redzaam-mongo listening on " + args[0] + ":" + args[1] + ", store " + args[2]);
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow, "shutdown"));
    }
}
