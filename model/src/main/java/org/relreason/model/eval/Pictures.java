package org.relreason.model.eval;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import javax.imageio.ImageIO;
import org.relreason.model.data.ImageSet;

/**
 * The protocols' pictures, drawn by hand with Java2D (no plotting library): the retrieval grid
 * (each query beside its nearest gallery images, framed green when of the query's class and red
 * otherwise) and the 2-D embedding scatter plot coloured by class. Written as PNG through ImageIO.
 */
public final class Pictures {
  /** Pixels per image pixel in the retrieval grid: 32x32 images become 64x64 cells. */
  private static final int SCALE = 2;

  /** Width of the scatter plot's legend, right of the plot. */
  public static final int LEGEND_WIDTH = 130;

  /** Frame width around each retrieval cell. */
  private static final int FRAME = 3;

  /**
   * Tableau's ten categorical colours (matplotlib's default cycle), then an HSB wheel for more
   * classes.
   */
  private static final int[] PALETTE = {
    0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22,
    0x17becf
  };

  private Pictures() {}

  /** The colour of class {@code c} out of {@code numClasses}. */
  public static Color classColor(int c, int numClasses) {
    if (numClasses <= PALETTE.length) {
      return new Color(PALETTE[c]);
    }
    return Color.getHSBColor((float) c / numClasses, 0.75f, 0.85f);
  }

  /**
   * The retrieval grid: one row per query, the query first (blue frame), then its neighbours.
   *
   * @param queries the query images (their labels decide the frame colours)
   * @param queryRows which queries to draw, one row each
   * @param gallery the gallery images
   * @param neighbours per query of {@code queryRows}, gallery indices nearest first
   */
  public static BufferedImage retrievalGrid(
      ImageSet queries, int[] queryRows, ImageSet gallery, int[][] neighbours) {
    if (queries.channels() != gallery.channels()
        || queries.height() != gallery.height()
        || queries.width() != gallery.width()) {
      throw new IllegalArgumentException(
          "retrieval picture: queries " + queries + " and gallery " + gallery + " differ in size");
    }
    int k = neighbours.length == 0 ? 0 : neighbours[0].length;
    int cellW = queries.width() * SCALE + 2 * FRAME;
    int cellH = queries.height() * SCALE + 2 * FRAME;
    int gap = 12; // between the query column and its neighbours
    int pad = 4;
    int width = (k + 1) * (cellW + pad) + gap + pad;
    int height = queryRows.length * (cellH + pad) + pad;
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width, height);
      for (int r = 0; r < queryRows.length; r++) {
        int q = queryRows[r];
        int y = pad + r * (cellH + pad);
        drawCell(g, img, queries, q, pad, y, new Color(0x1f77b4));
        for (int j = 0; j < neighbours[r].length; j++) {
          int nb = neighbours[r][j];
          boolean same = gallery.label(nb) == queries.label(q);
          Color frame = same ? new Color(0x2ca02c) : new Color(0xd62728);
          drawCell(g, img, gallery, nb, pad + gap + (j + 1) * (cellW + pad), y, frame);
        }
      }
    } finally {
      g.dispose();
    }
    return img;
  }

  /** One image, scaled by {@link #SCALE} (nearest neighbour), inside a coloured frame. */
  private static void drawCell(
      Graphics2D g, BufferedImage img, ImageSet set, int i, int x0, int y0, Color frame) {
    g.setColor(frame);
    g.fillRect(x0, y0, set.width() * SCALE + 2 * FRAME, set.height() * SCALE + 2 * FRAME);
    int plane = set.height() * set.width();
    int base = i * set.imageBytes();
    byte[] px = set.pixels();
    for (int y = 0; y < set.height(); y++) {
      for (int x = 0; x < set.width(); x++) {
        int o = base + y * set.width() + x;
        int r = px[o] & 0xFF;
        int gr = set.channels() == 3 ? px[o + plane] & 0xFF : r;
        int b = set.channels() == 3 ? px[o + 2 * plane] & 0xFF : r;
        int rgb = (r << 16) | (gr << 8) | b;
        for (int dy = 0; dy < SCALE; dy++) {
          for (int dx = 0; dx < SCALE; dx++) {
            img.setRGB(x0 + FRAME + x * SCALE + dx, y0 + FRAME + y * SCALE + dy, rgb);
          }
        }
      }
    }
  }

  /**
   * A scatter plot of 2-D points coloured by class, with a legend of the class names.
   *
   * @param xy {@code n x 2} coordinates
   * @param labels class of each point
   * @param classNames one legend entry per class
   * @param title drawn at the top
   * @param footer drawn small at the bottom (what made the picture), or empty
   * @param size height of the picture in pixels (the plot is square; the legend adds {@link
   *     #LEGEND_WIDTH} to the width), at least 200
   */
  public static BufferedImage scatter(
      double[][] xy, int[] labels, List<String> classNames, String title, String footer, int size) {
    int numClasses = classNames.size();
    if (size < 200) {
      throw new IllegalArgumentException("plot size must be >= 200 pixels, got " + size);
    }
    if (xy.length != labels.length) {
      throw new IllegalArgumentException(xy.length + " points for " + labels.length + " labels");
    }
    int legendW = LEGEND_WIDTH;
    int top = 30;
    int margin = 12;
    int bottom = 22;
    BufferedImage img = new BufferedImage(size + legendW, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, img.getWidth(), img.getHeight());
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
      g.drawString(title, margin, 20);
      double[] box = bounds(xy);
      int plot = size - top - bottom;
      g.setColor(Color.LIGHT_GRAY);
      g.setStroke(new BasicStroke(1f));
      g.drawRect(margin, top, plot, plot);
      for (int i = 0; i < xy.length; i++) {
        int px =
            margin + (int) Math.round((xy[i][0] - box[0]) / (box[1] - box[0]) * (plot - 6)) + 3;
        int py = top + (int) Math.round((box[3] - xy[i][1]) / (box[3] - box[2]) * (plot - 6)) + 3;
        Color c = classColor(labels[i], numClasses);
        g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 190));
        g.fillOval(px - 2, py - 2, 5, 5);
      }
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      int rows = Math.min(numClasses, (size - top) / 16);
      for (int c = 0; c < rows; c++) {
        int y = top + 8 + c * 16;
        g.setColor(classColor(c, numClasses));
        g.fillOval(size - bottom + margin + 4, y - 9, 10, 10);
        g.setColor(Color.BLACK);
        g.drawString(classNames.get(c), size - bottom + margin + 20, y);
      }
      g.setColor(Color.GRAY);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
      g.drawString(footer, margin, size - 6);
    } finally {
      g.dispose();
    }
    return img;
  }

  /**
   * minX, maxX, minY, maxY, each range widened to at least 1e-9 so a point cloud of one spot draws.
   */
  private static double[] bounds(double[][] xy) {
    double[] b = {
      Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
      Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY
    };
    for (double[] p : xy) {
      b[0] = Math.min(b[0], p[0]);
      b[1] = Math.max(b[1], p[0]);
      b[2] = Math.min(b[2], p[1]);
      b[3] = Math.max(b[3], p[1]);
    }
    if (!(b[1] - b[0] > 1e-9)) {
      b[1] = b[0] + 1e-9;
    }
    if (!(b[3] - b[2] > 1e-9)) {
      b[3] = b[2] + 1e-9;
    }
    return b;
  }

  /** Writes a PNG atomically (temporary file, then rename), creating the parent directory. */
  public static void writePng(BufferedImage img, Path file) throws IOException {
    Path abs = file.toAbsolutePath();
    if (abs.getParent() != null) {
      Files.createDirectories(abs.getParent());
    }
    Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
    if (!ImageIO.write(img, "png", tmp.toFile())) {
      throw new IOException("no PNG writer in this JVM for " + file);
    }
    Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
