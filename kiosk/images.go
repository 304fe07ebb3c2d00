package kiosk

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/pos"
)

// Product pictures live in the data folder, <data>/images/NAME, as the
// thumbnails the kiosk made of what the vendor gave it, and are served at
// /img/NAME. A product's image names its picture by that file name
// ("mo-500.jpg", as the catalog file's image column and the zip of pictures
// both say it) or by its path ("/img/mo-500.jpg"). Names are lower-case
// letters, digits, dots, dashes and underscores ending in .jpg, .jpeg or .png:
// nothing in a name can leave the folder.
const (
	imagesDir       = "images"
	maxZipPictures  = 5000 // entries of a zip of pictures
	maxImageUpload  = maxPictureSize + 1<<20
	imageCacheRules = "no-cache" // a replaced picture shows at once; an unchanged one costs a 304
)

var reImageName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,79}\.(jpg|jpeg|png)$`)

// imageName is the stored name of a picture called name (a zip entry's file
// name, a catalog cell), or "" when it cannot be one.
func imageName(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.TrimPrefix(n, "/img/")
	if !reImageName.MatchString(n) || strings.Contains(n, "..") {
		return ""
	}
	return n
}

// imageFormatOf is the format a picture's name promises.
func imageFormatOf(name string) string {
	if strings.HasSuffix(name, ".png") {
		return "png"
	}
	return "jpeg"
}

// pictures is the kiosk's folder of product pictures. One picture is decoded
// at a time: a 24-megapixel photo takes some 70 MB while it is shrunk.
type pictures struct {
	dir string
	mu  sync.Mutex
}

func newPictures(dataDir string) *pictures {
	return &pictures{dir: filepath.Join(dataDir, imagesDir)}
}

// put stores a thumbnail under name, replacing the file whole (a reader never
// sees half a picture).
func (p *pictures) put(name string, thumb []byte) error {
	if err := os.MkdirAll(p.dir, 0o755); err != nil {
		return fmt.Errorf("pictures folder: %w", err)
	}
	tmp, err := os.CreateTemp(p.dir, ".incoming-*")
	if err != nil {
		return fmt.Errorf("store picture %s: %w", name, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(thumb); err != nil {
		tmp.Close()
		return fmt.Errorf("store picture %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("store picture %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(p.dir, name)); err != nil {
		return fmt.Errorf("store picture %s: %w", name, err)
	}
	return nil
}

// has tells whether a picture of that name is stored.
func (p *pictures) has(name string) bool {
	if name == "" {
		return false
	}
	st, err := os.Stat(filepath.Join(p.dir, name))
	return err == nil && st.Mode().IsRegular()
}

// URL is where the screens and pages find a product's picture: /img/NAME when
// the product names a picture the kiosk holds, else "" (the screens draw the
// product's tile).
func (p *pictures) URL(image string) string {
	if n := imageName(image); p.has(n) {
		return "/img/" + n
	}
	return ""
}

// serveImage answers GET /img/:name with the picture and an ETag made of its
// size and time, so a screen that has it gets a 304.
func (s *Server) serveImage(c *fiber.Ctx) error {
	name := imageName(c.Params("name"))
	if name == "" {
		return newAPIError(fiber.StatusNotFound, "not_found", "no such picture")
	}
	file := filepath.Join(s.pictures.dir, name)
	st, err := os.Stat(file)
	if err != nil || !st.Mode().IsRegular() {
		return newAPIError(fiber.StatusNotFound, "not_found", "no such picture")
	}
	etag := `"` + strconv.FormatInt(st.Size(), 36) + "-" + strconv.FormatInt(st.ModTime().UnixNano(), 36) + `"`
	c.Set(fiber.HeaderETag, etag)
	c.Set(fiber.HeaderCacheControl, imageCacheRules)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" && strings.Contains(inm, etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("read picture %s: %w", name, err)
	}
	c.Set(fiber.HeaderContentType, "image/"+imageFormatOf(name))
	return c.Send(b)
}

// uploadBody is the file a request carries: the "file" field of a multipart
// form, or the raw body.
func uploadBody(c *fiber.Ctx, limit int64) ([]byte, error) {
	if !strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm) {
		return c.Body(), nil
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return nil, newAPIError(fiber.StatusBadRequest, "bad_request", `a multipart upload needs a "file" field`)
	}
	if fh.Size > limit {
		return nil, newAPIError(fiber.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("the file is %d bytes, at most %d", fh.Size, limit))
	}
	return readFormFile(fh)
}

func readFormFile(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, fmt.Errorf("open upload: %w", err)
	}
	defer f.Close()
	return io.ReadAll(f)
}

func badImage(msg string, files []pictureProblem) *apiError {
	ae := newAPIError(fiber.StatusUnprocessableEntity, "bad_image", msg)
	if files != nil {
		ae.Details = fiber.Map{"files": files}
	}
	return ae
}

// uploadProductImage takes one picture for a product (POST
// /api/v1/products/:sku/image): it is stored as the SKU's own picture
// (cm-mo-500.jpg) and becomes the product's image.
func (s *Server) uploadProductImage(c *fiber.Ctx) error {
	sku := c.Params("sku")
	p, err := s.store.Product(sku)
	if err != nil {
		return err
	}
	body, err := uploadBody(c, maxImageUpload)
	if err != nil {
		return err
	}
	if len(body) == 0 {
		return badImage("the request carries no picture: send a JPEG or PNG file", nil)
	}
	s.pictures.mu.Lock()
	thumb, format, err := thumbnail(body, "")
	s.pictures.mu.Unlock()
	if err != nil {
		return badImage(err.Error(), nil)
	}
	ext := ".jpg"
	if format == "png" {
		ext = ".png"
	}
	name := imageName(p.SKU + ext)
	if name == "" {
		return badImage(fmt.Sprintf("SKU %q makes no picture name", p.SKU), nil)
	}
	if err := s.pictures.put(name, thumb); err != nil {
		return err
	}
	p.Image = name
	if err := s.store.PutCatalog(pos.Catalog{Products: []pos.Product{p}, StockGiven: []bool{false}}, "picture ("+who(c)+")"); err != nil {
		return err
	}
	if err := s.reindex(); err != nil {
		return err
	}
	s.hub.broadcastAll(map[string]any{"type": "catalog", "version": time.Now().UnixMilli()})
	s.log.Info("product picture", "sku", p.SKU, "image", name, "bytes", len(thumb), "by", who(c))
	return c.JSON(fiber.Map{"sku": p.SKU, "image": name, "url": "/img/" + name, "bytes": len(thumb)})
}

// pictureProblem is a picture of a zip the kiosk would not take.
type pictureProblem struct {
	Name    string `json:"name"`
	Message string `json:"message"`
}

// importImages takes a zip of pictures (POST /api/v1/catalog/images, the raw
// body or a form's "file"), all or nothing: every JPEG or PNG in it, found by
// its file name in any folder of the zip, is shrunk to a thumbnail and stored
// under that name; a picture that is not one, or two of the same name, store
// nothing. Other files (a spreadsheet, Thumbs.db, macOS's __MACOSX folder)
// are skipped and listed. The answer also lists the products whose image
// names a picture the kiosk still does not have.
func (s *Server) importImages(c *fiber.Ctx) error {
	var zr *zip.Reader
	var err error
	if strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm) {
		fh, ferr := c.FormFile("file")
		if ferr != nil {
			return newAPIError(fiber.StatusBadRequest, "bad_request", `a multipart upload needs a "file" field`)
		}
		f, ferr := fh.Open()
		if ferr != nil {
			return fmt.Errorf("open upload: %w", ferr)
		}
		defer f.Close()
		zr, err = zip.NewReader(f, fh.Size)
	} else {
		zr, err = zip.NewReader(bytes.NewReader(c.Body()), int64(len(c.Body())))
	}
	if err != nil {
		return badImage("not a zip file of pictures: "+err.Error(), nil)
	}
	if len(zr.File) > maxZipPictures {
		return badImage(fmt.Sprintf("the zip holds %d files, at most %d", len(zr.File), maxZipPictures), nil)
	}
	// Thumbnails wait in a folder of their own until every picture is good.
	if err := os.MkdirAll(s.pictures.dir, 0o755); err != nil {
		return fmt.Errorf("pictures folder: %w", err)
	}
	stage, err := os.MkdirTemp(s.pictures.dir, ".zip-")
	if err != nil {
		return fmt.Errorf("pictures folder: %w", err)
	}
	defer os.RemoveAll(stage)
	var stored, skipped []string
	var bad []pictureProblem
	seen := map[string]string{}
	for _, f := range zr.File {
		base := path.Base(strings.ReplaceAll(f.Name, `\`, "/"))
		if f.FileInfo().IsDir() || strings.HasPrefix(f.Name, "__MACOSX/") || strings.HasPrefix(base, ".") {
			continue
		}
		low := strings.ToLower(base)
		if !strings.HasSuffix(low, ".jpg") && !strings.HasSuffix(low, ".jpeg") && !strings.HasSuffix(low, ".png") {
			skipped = append(skipped, f.Name)
			continue
		}
		if len(bad) >= pos.MaxImportErrors {
			break
		}
		name := imageName(base)
		switch {
		case name == "":
			bad = append(bad, pictureProblem{f.Name, "a picture's name may hold only letters, digits, dots, dashes and underscores (mo-500.jpg)"})
			continue
		case seen[name] != "":
			bad = append(bad, pictureProblem{f.Name, fmt.Sprintf("two pictures named %s (also %s)", name, seen[name])})
			continue
		case f.UncompressedSize64 > maxPictureSize:
			bad = append(bad, pictureProblem{f.Name, fmt.Sprintf("%d bytes, at most %d", f.UncompressedSize64, maxPictureSize)})
			continue
		}
		seen[name] = f.Name
		thumb, err := s.zipThumbnail(f, imageFormatOf(name))
		if err != nil {
			if !errors.Is(err, errBadPicture) {
				return err
			}
			bad = append(bad, pictureProblem{f.Name, err.Error()})
			continue
		}
		if err := os.WriteFile(filepath.Join(stage, name), thumb, 0o644); err != nil {
			return fmt.Errorf("store picture %s: %w", name, err)
		}
		stored = append(stored, name)
	}
	if len(bad) > 0 {
		return badImage(fmt.Sprintf("%d pictures could not be taken; none was stored", len(bad)), bad)
	}
	for _, name := range stored {
		if err := os.Rename(filepath.Join(stage, name), filepath.Join(s.pictures.dir, name)); err != nil {
			return fmt.Errorf("store picture %s: %w", name, err)
		}
	}
	sort.Strings(stored)
	s.hub.broadcastAll(map[string]any{"type": "catalog", "version": time.Now().UnixMilli()})
	s.log.Info("product pictures imported", "pictures", len(stored), "skipped", len(skipped), "by", who(c))
	return c.JSON(fiber.Map{"stored": nonNil(stored), "skipped": nonNil(skipped), "missing": s.productsMissingPictures()})
}

// zipThumbnail reads one picture of a zip, never more than maxPictureSize
// bytes whatever its header says, and shrinks it.
func (s *Server) zipThumbnail(f *zip.File, want string) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errBadPicture, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxPictureSize+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errBadPicture, err)
	}
	s.pictures.mu.Lock()
	defer s.pictures.mu.Unlock()
	thumb, _, err := thumbnail(b, want)
	return thumb, err
}

// productsMissingPictures lists the SKUs whose image names a picture of the
// kiosk's (a file name or /img/…) that it does not hold.
func (s *Server) productsMissingPictures() []string {
	out := []string{}
	for _, p := range s.allProducts() {
		if p.Image == "" || strings.Contains(p.Image, "://") {
			continue
		}
		if n := imageName(p.Image); n == "" || !s.pictures.has(n) {
			out = append(out, p.SKU)
		}
	}
	sort.Strings(out)
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// allProducts is the whole catalog, by name.
func (s *Server) allProducts() []*pos.Product {
	ix := s.index.Load()
	return ix.Search(pos.Query{Limit: max(1, ix.Len())}).Products
}
