package dev.tailsampling.controller;

import dev.tailsampling.controller.ClosedLoopSimulation.Interval;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/**
 * Draws the closed-loop step response for {@code docs/controller.md}: traffic, the rates the
 * controller published and the kept volume against the budget, per interval, for a 1x -> 10x -> 1x
 * traffic step at the default 20 % largest change and at 50 %, both without the sampler's budget
 * guard, and at 20 % with it.
 *
 * <p>{@code mvn -B -q -Pcontroller-chart -pl adaptive-controller -am verify -DskipTests}
 */
public final class StepResponseChart {
    private static final int WIDTH = 960;
    private static final int PANEL = 220;
    private static final int LEFT = 80;
    private static final int TOP = 40;
    private static final Color[] SERVICE_COLORS = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd)
    };

    private StepResponseChart() {}

    public static void main(String[] args) throws IOException {
        double[][] steps = {{1, 12}, {10, 24}, {1, 24}};
        List<Interval> slow = new ClosedLoopSimulation(
                        ClosedLoopTest.settings(0.2, false), ClosedLoopSimulation.shop(), 1)
                .run(steps);
        List<Interval> guarded =
                new ClosedLoopSimulation(ClosedLoopTest.settings(0.2, true), ClosedLoopSimulation.shop(), 1).run(steps);
        List<Interval> fast = new ClosedLoopSimulation(
                        ClosedLoopTest.settings(0.5, false), ClosedLoopSimulation.shop(), 1)
                .run(steps);

        BufferedImage image = new BufferedImage(WIDTH, TOP + 3 * (PANEL + 40), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(Color.BLACK);
        g.drawString(
                "Budget controller step response: 5-minute intervals, budget " + (int) ClosedLoopTest.BUDGET
                        + " spans/s",
                LEFT,
                20);

        int y = TOP;
        Panel traffic = new Panel(g, y, slow.size(), 0, 11, false, "traffic (x base)");
        traffic.line(slow, Interval::multiple, Color.DARK_GRAY, false);

        y += PANEL + 40;
        Panel rates = new Panel(g, y, slow.size(), 0.001, 1, true, "published rates, max change 20 % (log)");
        int c = 0;
        for (String service : slow.get(0).rates().keySet()) {
            Color color = SERVICE_COLORS[c++ % SERVICE_COLORS.length];
            rates.line(slow, i -> i.rates().get(service), color, false);
            rates.legend(service, color, c);
        }

        y += PANEL + 40;
        Panel kept = new Panel(
                g, y, slow.size(), 0, 3 * ClosedLoopTest.BUDGET, false, "kept spans/s (clipped at 3x budget)");
        kept.line(slow, i -> ClosedLoopTest.BUDGET, Color.RED, true);
        kept.line(slow, Interval::keptSpansPerSecond, SERVICE_COLORS[0], false);
        kept.line(fast, Interval::keptSpansPerSecond, SERVICE_COLORS[1], false);
        kept.line(guarded, Interval::keptSpansPerSecond, SERVICE_COLORS[2], false);
        kept.legend("budget", Color.RED, 1);
        kept.legend("max change 20 %", SERVICE_COLORS[0], 2);
        kept.legend("max change 50 %", SERVICE_COLORS[1], 3);
        kept.legend("20 %, guard", SERVICE_COLORS[2], 4);

        File out = new File(args.length > 0 ? args[0] : "docs/controller-step-response.png");
        ImageIO.write(image, "png", out);
        System.out.println("wrote " + out);
    }

    /** One chart panel: axes, a title and lines over the intervals. */
    private static final class Panel {
        private final Graphics2D g;
        private final int top;
        private final int intervals;
        private final double min;
        private final double max;
        private final boolean log;
        private final int width = WIDTH - LEFT - 140;

        Panel(Graphics2D g, int top, int intervals, double min, double max, boolean log, String title) {
            this.g = g;
            this.top = top;
            this.intervals = intervals;
            this.min = min;
            this.max = max;
            this.log = log;
            g.setColor(Color.BLACK);
            g.setStroke(new BasicStroke(1));
            g.drawRect(LEFT, top, width, PANEL);
            g.drawString(title, LEFT, top - 6);
            g.drawString(label(max), 8, top + 10);
            g.drawString(label(min), 8, top + PANEL);
            for (int i = 0; i <= intervals; i += 6) {
                g.drawString(Integer.toString(i), x(i) - 4, top + PANEL + 14);
            }
        }

        private static String label(double v) {
            return v >= 1 ? Integer.toString((int) v) : Double.toString(v);
        }

        int x(double interval) {
            return LEFT + (int) Math.round(interval * width / intervals);
        }

        int y(double v) {
            double clipped = Math.max(min, Math.min(max, v));
            double share = log ? Math.log(clipped / min) / Math.log(max / min) : (clipped - min) / (max - min);
            return top + PANEL - (int) Math.round(share * PANEL);
        }

        void line(List<Interval> run, ToDoubleFunction<Interval> value, Color color, boolean dashed) {
            g.setColor(color);
            g.setStroke(
                    dashed
                            ? new BasicStroke(
                                    1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0)
                            : new BasicStroke(2f));
            // An interval's value holds from its start to its end.
            for (int i = 0; i < run.size(); i++) {
                int level = y(value.applyAsDouble(run.get(i)));
                g.drawLine(x(i), level, x(i + 1), level);
                if (i + 1 < run.size()) {
                    g.drawLine(x(i + 1), level, x(i + 1), y(value.applyAsDouble(run.get(i + 1))));
                }
            }
        }

        void legend(String name, Color color, int row) {
            g.setColor(color);
            g.fillRect(LEFT + width + 12, top + row * 16 - 8, 10, 10);
            g.setColor(Color.BLACK);
            g.drawString(name, LEFT + width + 28, top + row * 16 + 2);
        }
    }
}
