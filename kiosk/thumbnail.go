package kiosk

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/draw"
)

// Product pictures come from vendors' phones and cameras: JPEG or PNG, often
// 12–24 megapixels, sometimes turned by an EXIF orientation tag. The kiosk
// keeps a thumbnail of each, small enough for a tablet's grid and the trace
// page, with the camera's metadata (GPS position included) left behind.
const (
	thumbSide      = 480      // the longest side of a thumbnail, in pixels
	maxPixels      = 24 << 20 // a picture larger than this is refused before it is decoded
	maxPictureSize = 16 << 20 // bytes of one picture (an upload or a zip entry)
	thumbQuality   = 82       // JPEG quality of thumbnails
)

// errBadPicture is a picture the kiosk will not take: not JPEG or PNG, cut
// short, or too large.
var errBadPicture = errors.New("bad picture")

// pictureFormat names the format of b from its first bytes ("jpeg", "png"),
// or "" when it is neither.
func pictureFormat(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return "jpeg"
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	}
	return ""
}

// thumbnail decodes a JPEG or PNG picture, turns it upright and shrinks it to
// at most thumbSide pixels on its longest side, and encodes it again in its
// own format. want, when not "", is the format the picture's name promises.
func thumbnail(b []byte, want string) (out []byte, format string, err error) {
	if len(b) > maxPictureSize {
		return nil, "", fmt.Errorf("%w: %d bytes, at most %d", errBadPicture, len(b), maxPictureSize)
	}
	format = pictureFormat(b)
	if format == "" {
		return nil, "", fmt.Errorf("%w: not a JPEG or PNG picture", errBadPicture)
	}
	if want != "" && want != format {
		return nil, "", fmt.Errorf("%w: named .%s but holds a %s picture", errBadPicture, want, format)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", errBadPicture, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return nil, "", fmt.Errorf("%w: %d×%d pixels, at most %d megapixels", errBadPicture, cfg.Width, cfg.Height, maxPixels>>20)
	}
	var src image.Image
	if format == "jpeg" {
		src, err = jpeg.Decode(bytes.NewReader(b))
	} else {
		src, err = png.Decode(bytes.NewReader(b))
	}
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", errBadPicture, err)
	}
	img := upright(shrink(src), exifOrientation(b))
	var buf bytes.Buffer
	if format == "jpeg" {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: thumbQuality})
	} else {
		err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img)
	}
	if err != nil {
		return nil, "", fmt.Errorf("encode thumbnail: %w", err)
	}
	return buf.Bytes(), format, nil
}

// shrink scales src down to fit thumbSide (a smaller picture keeps its size).
// draw.BiLinear widens its kernel when it shrinks, so fine patterns average
// out instead of turning to noise.
func shrink(src image.Image) image.Image {
	w, h := src.Bounds().Dx(), src.Bounds().Dy()
	tw, th := w, h
	if w > thumbSide || h > thumbSide {
		if w >= h {
			tw, th = thumbSide, max(1, h*thumbSide/w)
		} else {
			tw, th = max(1, w*thumbSide/h), thumbSide
		}
	}
	dst := image.NewNRGBA(image.Rect(0, 0, tw, th))
	draw.BiLinear.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	return dst
}

// upright applies an EXIF orientation (1–8) to img.
func upright(img image.Image, orientation int) image.Image {
	if orientation < 2 || orientation > 8 {
		return img
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	ow, oh := w, h
	if orientation >= 5 { // 5–8 swap the sides
		ow, oh = h, w
	}
	dst := image.NewNRGBA(image.Rect(0, 0, ow, oh))
	for y := range h {
		for x := range w {
			var dx, dy int
			switch orientation {
			case 2: // mirrored
				dx, dy = w-1-x, y
			case 3: // upside down
				dx, dy = w-1-x, h-1-y
			case 4: // mirrored upside down
				dx, dy = x, h-1-y
			case 5: // mirrored, turned
				dx, dy = y, x
			case 6: // turned right
				dx, dy = h-1-y, x
			case 7:
				dx, dy = h-1-y, w-1-x
			case 8: // turned left
				dx, dy = y, w-1-x
			}
			dst.Set(dx, dy, color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)))
		}
	}
	return dst
}

// exifOrientation reads the orientation tag (0x0112) of a JPEG's EXIF block,
// or answers 1 (as stored) when there is none or it cannot be read.
func exifOrientation(b []byte) int {
	r := bytes.NewReader(b)
	var soi [2]byte
	if _, err := io.ReadFull(r, soi[:]); err != nil || soi != [2]byte{0xFF, 0xD8} {
		return 1
	}
	for {
		var hdr [4]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil || hdr[0] != 0xFF {
			return 1
		}
		marker, size := hdr[1], int(binary.BigEndian.Uint16(hdr[2:]))
		if marker == 0xDA || marker == 0xD9 || size < 2 { // the picture data: no EXIF before it
			return 1
		}
		seg := make([]byte, size-2)
		if _, err := io.ReadFull(r, seg); err != nil {
			return 1
		}
		if marker == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return tiffOrientation(seg[6:])
		}
	}
}

// tiffOrientation finds the orientation in the first IFD of a TIFF block.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	ifd := int(bo.Uint32(t[4:]))
	if ifd < 8 || ifd+2 > len(t) {
		return 1
	}
	n := int(bo.Uint16(t[ifd:]))
	for i := range n {
		e := ifd + 2 + 12*i
		if e+12 > len(t) {
			return 1
		}
		if bo.Uint16(t[e:]) == 0x0112 {
			if v := int(bo.Uint16(t[e+8:])); v >= 1 && v <= 8 {
				return v
			}
			return 1
		}
	}
	return 1
}
