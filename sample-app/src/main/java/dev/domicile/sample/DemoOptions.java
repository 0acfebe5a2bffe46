package dev.domicile.sample;

import dev.domicile.sample.load.LoadConfig;
import java.time.Duration;
import java.util.List;

/**
 * The demo's command-line flags.
 *
 * @param load  {@code --load}: run the load generator once the regions are up
 * @param drill {@code --drill}: run the failover drill once the regions are up (after the load, if both)
 * @param exit  {@code --exit}: stop after start-up (and the load run) instead of waiting for Ctrl-C
 * @param loadConfig {@code --users N} (per region), {@code --requests N} (per user), {@code --duration SECONDS}
 * @param help  {@code --help}: print the usage and do nothing else
 */
record DemoOptions(boolean load, boolean drill, boolean exit, LoadConfig loadConfig, boolean help) {

    static final String USAGE = """
            usage: DemoMain [--load] [--users N] [--requests N] [--duration SECONDS] [--drill] [--exit] [--help]
              --load            run the load generator once the three regions are up, print its figures
              --drill           run the failover drill (after the load, if both): cut eu-west off, watch
                                us-east take its partition over, heal, fence, switch back; print the timeline
              --users N         simulated users homed in each region (default %d)
              --requests N      requests per user, a write then reads (default %d)
              --duration S      stop the load after S seconds at most (default %d)
              --exit            stop after start-up (and the load) instead of waiting for Ctrl-C;
                                with --load, fail if there were errors or read-your-writes violations;
                                with --drill, fail if the fenced site accepted a write
            through Maven: ./mvnw -Pdemo -pl sample-app -am -DskipTests verify -Ddemo.args="--load --exit"
            """.formatted(LoadConfig.DEFAULT.usersPerRegion(), LoadConfig.DEFAULT.requestsPerUser(),
            LoadConfig.DEFAULT.maxDuration().toSeconds());

    /**
     * Parses {@code args}.
     *
     * @throws IllegalArgumentException naming the flag and what is wrong, with the usage
     */
    static DemoOptions parse(List<String> args) {
        boolean load = false;
        boolean drill = false;
        boolean exit = false;
        boolean help = false;
        LoadConfig config = LoadConfig.DEFAULT;
        for (int i = 0; i < args.size(); i++) {
            String flag = args.get(i);
            switch (flag) {
                case "--load" -> load = true;
                case "--drill" -> drill = true;
                case "--exit" -> exit = true;
                case "--help", "-h" -> help = true;
                case "--users" -> config = config.withUsersPerRegion(number(args, ++i, flag));
                case "--requests" -> config = config.withRequestsPerUser(number(args, ++i, flag));
                case "--duration" -> config = config.withMaxDuration(Duration.ofSeconds(number(args, ++i, flag)));
                default -> throw new IllegalArgumentException("unknown flag '" + flag + "'\n" + USAGE);
            }
        }
        return new DemoOptions(load, drill, exit, config, help);
    }

    private static int number(List<String> args, int index, String flag) {
        if (index >= args.size()) {
            throw new IllegalArgumentException(flag + " needs a number\n" + USAGE);
        }
        try {
            return Integer.parseInt(args.get(index));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs a whole number, not '" + args.get(index) + "'\n"
                    + USAGE, e);
        }
    }
}
