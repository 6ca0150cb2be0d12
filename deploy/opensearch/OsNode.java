// One OpenSearch node in this JVM, built from the Maven jars in lib/ (no distribution).
// Run: java -Xms512m -Xmx512m -cp 'lib/*' OsNode.java path.home=DIR node.name=n1 http.port=9200 ...
// Every argument is a node setting (key=value; lists comma-separated). path.home must hold
// config/log4j2.properties. Tests and development only: upstream does not support
// classpath plugins, and embedding skips the distribution's bootstrap checks.
// With -Dkartoteka.owner.pid=PID the node exits when that process has ended.
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.index.mapper.MapperExtrasPlugin;
import org.opensearch.index.reindex.ReindexPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.transport.Netty4Plugin;

public class OsNode {
    public static void main(String[] args) throws Exception {
        Settings.Builder builder = Settings.builder();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got: " + arg);
            }
            builder.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        Settings settings = builder.build();
        Path home = Path.of(settings.get("path.home"));
        Files.createDirectories(home.resolve("modules"));  // the plugin service reads both
        Files.createDirectories(home.resolve("plugins"));
        Environment env = InternalSettingsPreparer.prepareEnvironment(
                settings, Map.of(), home.resolve("config"), () -> settings.get("node.name"));
        LogConfigurator.registerErrorListener();
        LogConfigurator.setNodeName(settings.get("node.name"));
        LogConfigurator.configure(env);

        // The protected constructor takes the plugins from the classpath; a missing one
        // fails here (NoClassDefFoundError) instead of being skipped.
        Node node = new Node(env, List.of(Netty4Plugin.class, CommonAnalysisPlugin.class,
                MapperExtrasPlugin.class, ReindexPlugin.class, PainlessPlugin.class), true) {};
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {  // SIGTERM: close cleanly
            try {
                node.close();
                node.awaitClose(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "os-node-shutdown"));
        node.start();
        String owner = System.getProperty("kartoteka.owner.pid");
        if (owner != null) {  // a test run's node: end with the test run, even a killed one
            ProcessHandle.of(Long.parseLong(owner)).ifPresentOrElse(
                    p -> p.onExit().thenRun(() -> System.exit(0)), () -> System.exit(0));
        }
        System.out.println("started " + settings.get("node.name"));
        stopped.await();  // the node's own threads are daemons: keep the JVM alive
    }
}
