/* A picture -> the model's input (C x H x W, values 0..1), and colours for drawing maps.
 *
 * The arithmetic of viz.core.explain.pictures (read_picture + convert_input), so that an upload
 * here gives the input that `viz explain --input` makes of the same file:
 *   1. transparency flattened onto white (onto black when the opaque part is mostly light)
 *   2. a picture many times the model's size box-reduced by an integer factor k first,
 *      k = floor(max(h0 / H, w0 / W) / 2) when >= 2 (Pillow's Image.reduce, 8-bit)
 *   3. / 255; RGB made gray (0.299 R + 0.587 G + 0.114 B) for one channel, gray copied to RGB
 *      for three; other channel counts are refused
 *   4. one channel: inverted when the border's median is over 0.5 (dark ink on light paper)
 *   5. padded to the model's aspect with the border's median colour (never stretched)
 *   6. resized like torch's F.interpolate: "area" to shrink, "bilinear" (align_corners=False)
 *      to grow; rounded to float32
 * Where it can differ: the browser decodes the file (EXIF orientation, colour profiles,
 * semi-transparent pixels through a premultiplied canvas, pictures over 4096 pixels a side,
 * which Pillow reduces while reading).
 *
 * VizModel.input = {
 *   fromRGBA(rgba, w, h, shape, name, sniffed) -> {data: Float64Array C*H*W, line}
 *   sniffMode(bytes) -> {mode, gray} from a PNG, GIF or JPEG header, or null
 *   readFile(file, shape, limits) -> Promise of {data, line}; rejects with a one-line Error
 *   area(plane, w, h, ow, oh), bilinear(plane, w, h, ow, oh), reduce(band, w, h, k)
 *   lut(colors) -> Uint8ClampedArray 513*3, paint(canvas, data, w, h, opts)
 * }
 */
(function () {
  "use strict";

  var GRAY = [0.299, 0.587, 0.114];

  /* Pillow's Image.reduce(k) of one 8-bit band: the lesson explorer's (lib-image28.js, loaded
     before this file), the same arithmetic for every page. */
  function reduce(band, w, h, k) { return VizExplorer.image28.reduce(band, w, h, k).gray; }

  /* torch's adaptive average (F.interpolate mode="area"): windows floor(i n / m) .. ceil((i + 1) n / m). */
  function windows(n, m) {
    var out = [];
    for (var i = 0; i < m; i++) out.push([Math.floor(i * n / m), Math.ceil((i + 1) * n / m)]);
    return out;
  }
  function area(plane, w, h, ow, oh) {
    var wy = windows(h, oh), wx = windows(w, ow), out = new Float64Array(ow * oh);
    for (var y = 0; y < oh; y++) {
      for (var x = 0; x < ow; x++) {
        var s = 0, y0 = wy[y][0], y1 = wy[y][1], x0 = wx[x][0], x1 = wx[x][1];
        for (var yy = y0; yy < y1; yy++) for (var xx = x0; xx < x1; xx++) s += plane[yy * w + xx];
        out[y * ow + x] = s / ((y1 - y0) * (x1 - x0));
      }
    }
    return out;
  }
  /* torch's bilinear, align_corners=False. */
  function taps(n, m) {
    var scale = n / m, out = [];
    for (var i = 0; i < m; i++) {
      var src = Math.max(0, scale * (i + 0.5) - 0.5), i0 = Math.floor(src), i1 = i0 < n - 1 ? i0 + 1 : i0;
      out.push([i0, i1, src - i0]);
    }
    return out;
  }
  function bilinear(plane, w, h, ow, oh) {
    var ty = taps(h, oh), tx = taps(w, ow), out = new Float64Array(ow * oh);
    for (var y = 0; y < oh; y++) {
      var a = ty[y], r0 = a[0] * w, r1 = a[1] * w, ly = a[2];
      for (var x = 0; x < ow; x++) {
        var b = tx[x], lx = b[2];
        out[y * ow + x] = (1 - ly) * ((1 - lx) * plane[r0 + b[0]] + lx * plane[r0 + b[1]]) +
          ly * ((1 - lx) * plane[r1 + b[0]] + lx * plane[r1 + b[1]]);
      }
    }
    return out;
  }

  function median(values) {
    var s = Float64Array.from(values).sort(), n = s.length;
    return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }
  function roundHalfEven(v) {
    var r = Math.round(v);
    return Math.abs(v % 1) === 0.5 && r % 2 ? r - 1 : r;
  }

  /* The file's colour mode from its header, as Pillow names it (loading._describe_mode):
   * {mode, gray} or null when the header does not say (then the pixels decide). */
  function sniffMode(b) {
    if (b.length >= 26 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) {
      var depth = b[24], ct = b[25];
      if (ct === 0) return {mode: depth === 1 ? "black-and-white" : depth === 16 ? "16-bit gray" : "gray", gray: true};
      return {2: {mode: "RGB", gray: false}, 3: {mode: "palette", gray: false}, 4: {mode: "gray+alpha", gray: true},
        6: {mode: "RGBA", gray: false}}[ct] || null;
    }
    if (b.length >= 6 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46) return {mode: "palette", gray: false};
    if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
      var i = 2;
      while (i + 9 < b.length) {
        if (b[i] !== 0xff) { i++; continue; }
        var m = b[i + 1];
        if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
          return {1: {mode: "gray", gray: true}, 3: {mode: "RGB", gray: false}, 4: {mode: "CMYK", gray: false}}[b[i + 9]] || null;
        }
        if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7) || m === 0xff) { i += m === 0xff ? 1 : 2; continue; }
        i += 2 + ((b[i + 2] << 8) + b[i + 3]);
      }
    }
    return null;
  }

  /* Step 1: RGBA pixels -> 8-bit bands (1 gray or 3 colour), the mode said, a note or "". */
  function bands(rgba, n, sniffed) {
    var gray = true, opaque = true, i, j;
    for (i = 0, j = 0; i < n; i++, j += 4) {
      if (rgba[j + 3] !== 255) opaque = false;
      if (rgba[j] !== rgba[j + 1] || rgba[j] !== rgba[j + 2]) gray = false;
    }
    if (sniffed) gray = sniffed.gray;
    var nb = gray ? 1 : 3, out = [], k;
    for (k = 0; k < nb; k++) out.push(new Uint8Array(n));
    var bg = 255, note = "";
    if (!opaque) {   // loading._flatten_alpha: the mean brightness of the drawn (alpha > 127) part
      var sum = 0, cnt = 0;
      for (i = 0, j = 0; i < n; i++, j += 4) {
        if (rgba[j + 3] > 127) { sum += gray ? rgba[j] : GRAY[0] * rgba[j] + GRAY[1] * rgba[j + 1] + GRAY[2] * rgba[j + 2]; cnt++; }
      }
      bg = cnt && sum / cnt > 127.5 ? 0 : 255;
      note = "transparent pixels made " + (bg ? "white" : "black");
    }
    for (i = 0, j = 0; i < n; i++, j += 4) {
      var a = rgba[j + 3] / 255;
      for (k = 0; k < nb; k++) {
        var v = rgba[j + k];
        out[k][i] = opaque ? v : Math.min(255, Math.max(0, roundHalfEven(v * a + bg * (1 - a))));
      }
    }
    var mode = sniffed ? sniffed.mode : opaque ? (gray ? "gray" : "RGB") : (gray ? "gray+alpha" : "RGBA");
    return {bands: out, mode: mode, note: note};
  }

  function fromRGBA(rgba, w0, h0, shape, name, sniffed) {
    var C = shape[0], H = shape[1], W = shape[2], i, k;
    if (C !== 1 && C !== 3) throw new Error("the model takes " + C + " input channels; a picture gives 1 (gray) or 3 (RGB)");
    var b = bands(rgba, w0 * h0, sniffed), done = b.note ? [b.note] : [], w = w0, h = h0, planes;
    var f = Math.floor(Math.max(h / H, w / W) / 2);
    if (f >= 2) {
      b.bands = b.bands.map(function (band) { return reduce(band, w, h, f); });
      w = Math.ceil(w / f); h = Math.ceil(h / f);
    }
    planes = b.bands.map(function (band) { return Float64Array.from(band, function (v) { return v / 255; }); });
    if (planes.length === 3 && C === 1) {
      var g = new Float64Array(w * h);
      for (i = 0; i < g.length; i++) g[i] = planes[0][i] * GRAY[0] + planes[1][i] * GRAY[1] + planes[2][i] * GRAY[2];
      planes = [g];
      done.push("RGB made gray");
    } else if (planes.length === 1 && C === 3) {
      planes = [planes[0], planes[0], planes[0]];
      done.push("gray copied to RGB");
    }
    function border(p) {
      var out = [], x, y;
      for (x = 0; x < w; x++) out.push(p[x]);
      for (x = 0; x < w; x++) out.push(p[(h - 1) * w + x]);
      for (y = 0; y < h; y++) out.push(p[y * w]);
      for (y = 0; y < h; y++) out.push(p[y * w + w - 1]);
      return out;
    }
    var fill = planes.map(function (p) { return median(border(p)); });
    if (C === 1 && fill[0] > 0.5) {
      planes = [planes[0].map(function (v) { return 1 - v; })];
      fill = [median(border(planes[0]))];
      done.push("inverted: dark ink on light paper made light on dark, like MNIST");
    }
    if (h * W !== w * H) {      // pad to the model's aspect with the border colour
      var th = h, tw = w;
      if (w * H < h * W) tw = Math.ceil(h * W / H); else th = Math.ceil(w * H / W);
      var top = Math.floor((th - h) / 2), left = Math.floor((tw - w) / 2);
      planes = planes.map(function (p, c) {
        var q = new Float64Array(th * tw).fill(fill[c]);
        for (var y = 0; y < h; y++) q.set(p.subarray(y * w, (y + 1) * w), (y + top) * tw + left);
        return q;
      });
      done.push("padded to " + tw + "x" + th + " with its border colour");
      w = tw; h = th;
    }
    var how = h === H && w === W ? "no resize" : h >= H && w >= W ? "area average" : "bilinear";
    done.push(how);
    var data = new Float64Array(C * H * W);
    for (k = 0; k < C; k++) {
      var p = planes[k];
      var q = how === "no resize" ? p : how === "area average" ? area(p, w, h, W, H) : bilinear(p, w, h, W, H);
      for (i = 0; i < H * W; i++) data[k * H * W + i] = Math.fround(q[i]);
    }
    var line = "input: " + (name || "picture") + ", " + w0 + "x" + h0 + " " + b.mode + " -> " + C + "x" + H + "x" + W +
      " " + (C === 1 ? "gray" : "RGB") + " (" + done.join(", ") + "), values 0..1";
    return {data: data, line: line};
  }

  function readFile(file, shape, limits) {
    limits = limits || {};
    var maxBytes = limits.max_file_bytes || 64 * 1048576, maxPixels = limits.max_pixels || 50000000;
    if (!file) return Promise.reject(new Error("no file chosen"));
    var name = "\u201c" + file.name + "\u201d";
    if (file.size > maxBytes) {
      return Promise.reject(new Error(name + " is " + (file.size / 1048576).toFixed(1) + " MB; the most read is " +
        Math.round(maxBytes / 1048576) + " MB"));
    }
    if (typeof createImageBitmap !== "function") return Promise.reject(new Error("this browser cannot decode pictures here"));
    var sniffed = null;
    return file.slice(0, 262144).arrayBuffer().then(function (buf) {
      sniffed = sniffMode(new Uint8Array(buf));
      return createImageBitmap(file, {colorSpaceConversion: "none", premultiplyAlpha: "none"});
    }).catch(function () {
      throw new Error(name + " is not a picture this browser can read (try a PNG or JPEG)");
    }).then(function (bmp) {
      var w = bmp.width, h = bmp.height;
      if (!(w > 0 && h > 0)) throw new Error(name + " has no pixels");
      if (w * h > maxPixels) {
        if (bmp.close) bmp.close();
        throw new Error(name + " is " + w + "\u00d7" + h + " pixels; the most read is " + maxPixels.toLocaleString("en"));
      }
      var cv = document.createElement("canvas");
      cv.width = w; cv.height = h;
      var ctx = cv.getContext("2d", {willReadFrequently: true});
      ctx.drawImage(bmp, 0, 0);
      if (bmp.close) bmp.close();
      var px = ctx.getImageData(0, 0, w, h).data;
      cv.width = cv.height = 0;
      return fromRGBA(px, w, h, shape, file.name, sniffed);
    });
  }

  // ------------------------------------------------------------------ colours
  function hexRgb(h) {
    h = String(h).replace("#", "");
    return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
  }
  var cache = {};
  function lut(colors) {   // 513 steps over [-1, 1] (3 colours) or [0, 1] (2 colours)
    var key = colors.join(",");
    if (cache[key]) return cache[key];
    var c = colors.map(hexRgb), n = 513, out = new Uint8ClampedArray(n * 3);
    for (var i = 0; i < n; i++) {
      var t = i / (n - 1), a, b, u;
      if (c.length === 3) {
        var s = 2 * t - 1;
        if (s >= 0) { a = c[1]; b = c[2]; u = s; } else { a = c[1]; b = c[0]; u = -s; }
      } else { a = c[0]; b = c[1]; u = t; }
      for (var k = 0; k < 3; k++) out[i * 3 + k] = Math.round(a[k] + (b[k] - a[k]) * u);
    }
    cache[key] = out;
    return out;
  }

  /* One w x h map (data[offset ..]) into a canvas of w x h pixels, shown `scale` times larger.
   * opts: colors (2 or 3 hex), limit (3 colours: |v| at the ends) or vmin/vmax (2 colours). */
  function paint(canvas, data, w, h, opts) {
    var offset = opts.offset || 0, table = lut(opts.colors), three = opts.colors.length === 3;
    if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; canvas._img = null; }
    var ctx = canvas.getContext("2d");
    var img = canvas._img || (canvas._img = ctx.createImageData(w, h)), px = img.data;
    var m = opts.limit || 1, lo = opts.vmin || 0, span = ((opts.vmax === undefined ? 1 : opts.vmax) - lo) || 1;
    for (var i = 0, n = w * h; i < n; i++) {
      var v = data[offset + i], t = three ? (Math.max(-1, Math.min(1, v / m)) + 1) / 2 : Math.max(0, Math.min(1, (v - lo) / span));
      var j = Math.round(t * 512);
      if (!(j >= 0)) j = 256;
      px[4 * i] = table[3 * j]; px[4 * i + 1] = table[3 * j + 1]; px[4 * i + 2] = table[3 * j + 2]; px[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    if (opts.scale) {
      var cssW = Math.round(w * opts.scale) + "px";
      if (canvas.style.width !== cssW) canvas.style.width = cssW;
    }
  }

  window.VizModel = window.VizModel || {};
  window.VizModel.input = {fromRGBA: fromRGBA, readFile: readFile, sniffMode: sniffMode, area: area, bilinear: bilinear, reduce: reduce,
    lut: lut, paint: paint, hexRgb: hexRgb};
})();
