package pos

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// checkPages reads a store file the way bbolt lays it out and follows every page
// reference from the current meta page — each bucket's branch and leaf pages,
// inline buckets, the freelist — reading with ReadAt, never through a memory
// mapping, with bounds on everything and a record of the pages seen. It finds
// what would make bbolt fault or loop on a damaged file (a page id beyond the
// file, a page of the wrong kind, an element outside its page, a page reached
// twice) before bbolt reads a byte of it: bbolt reads pages through pointers
// into its mapping, and in its consistency check it does so in a goroutine of
// its own, where a fault cannot be caught.
func checkPages(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	w := &pageWalker{f: f, size: fi.Size(), seen: map[uint64]bool{}}
	m, err := w.meta()
	if err != nil {
		return err
	}
	w.ps, w.high = uint64(m.pageSize), m.highWater
	if w.high*w.ps > uint64(w.size) {
		return fmt.Errorf("the file has %d bytes, its pages need %d", w.size, w.high*w.ps)
	}
	if m.freelist != noFreelist {
		buf, err := w.page(m.freelist)
		if err != nil {
			return fmt.Errorf("freelist: %w", err)
		}
		if flags := binary.LittleEndian.Uint16(buf[8:]); flags != 0x10 {
			return fmt.Errorf("freelist page %d has flags %#x", m.freelist, flags)
		}
	}
	return w.node(m.root, 0)
}

const (
	noFreelist  = ^uint64(0)
	pageHeader  = 16
	elementSize = 16
	maxDepth    = 64
	maxPageSpan = 64 << 20 // a page with its overflow; more is a damaged header
)

type pageWalker struct {
	f        *os.File
	size     int64
	ps, high uint64
	seen     map[uint64]bool
}

type metaPage struct {
	pageSize  uint32
	root      uint64
	freelist  uint64
	highWater uint64
	txid      uint64
}

// meta reads both meta pages and picks the valid one of the later transaction,
// as bbolt does.
func (w *pageWalker) meta() (metaPage, error) {
	read := func(off int64) (metaPage, error) {
		b := make([]byte, pageHeader+64)
		if _, err := w.f.ReadAt(b, off); err != nil {
			return metaPage{}, err
		}
		m := b[pageHeader:]
		if binary.LittleEndian.Uint32(m[0:]) != 0xED0CDAED || binary.LittleEndian.Uint32(m[4:]) != 2 {
			return metaPage{}, errors.New("not a bbolt meta page")
		}
		h := fnv.New64a()
		h.Write(m[:56])
		if h.Sum64() != binary.LittleEndian.Uint64(m[56:]) {
			return metaPage{}, errors.New("meta page checksum")
		}
		mp := metaPage{pageSize: binary.LittleEndian.Uint32(m[8:]), root: binary.LittleEndian.Uint64(m[16:]),
			freelist: binary.LittleEndian.Uint64(m[32:]), highWater: binary.LittleEndian.Uint64(m[40:]),
			txid: binary.LittleEndian.Uint64(m[48:])}
		if mp.pageSize < 512 || mp.pageSize > 1<<20 || mp.pageSize&(mp.pageSize-1) != 0 {
			return metaPage{}, fmt.Errorf("page size %d", mp.pageSize)
		}
		return mp, nil
	}
	m0, err0 := read(0)
	off := int64(4096)
	if err0 == nil {
		off = int64(m0.pageSize)
	}
	m1, err1 := read(off)
	switch {
	case err0 != nil && err1 != nil:
		return metaPage{}, fmt.Errorf("both meta pages are unreadable: %v; %v", err0, err1)
	case err1 != nil || (err0 == nil && m0.txid >= m1.txid):
		return m0, nil
	}
	return m1, nil
}

// page reads page id with its overflow pages, after checking they lie below the
// high-water mark and were not reached before.
func (w *pageWalker) page(id uint64) ([]byte, error) {
	if id < 2 || id >= w.high {
		return nil, fmt.Errorf("page %d is outside the file's %d pages", id, w.high)
	}
	hdr := make([]byte, pageHeader)
	if _, err := w.f.ReadAt(hdr, int64(id*w.ps)); err != nil {
		return nil, fmt.Errorf("page %d: %w", id, err)
	}
	if got := binary.LittleEndian.Uint64(hdr); got != id {
		return nil, fmt.Errorf("page %d says it is page %d", id, got)
	}
	overflow := uint64(binary.LittleEndian.Uint32(hdr[12:]))
	span := (overflow + 1) * w.ps
	if id+overflow >= w.high || span > maxPageSpan {
		return nil, fmt.Errorf("page %d runs %d pages past the file's end", id, overflow)
	}
	for p := id; p <= id+overflow; p++ {
		if w.seen[p] {
			return nil, fmt.Errorf("page %d is reached twice", p)
		}
		w.seen[p] = true
	}
	buf := make([]byte, span)
	if _, err := w.f.ReadAt(buf, int64(id*w.ps)); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("page %d: %w", id, err)
	}
	return buf, nil
}

// node checks a bucket's page and everything below it.
func (w *pageWalker) node(id uint64, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("page %d is %d levels deep", id, depth)
	}
	buf, err := w.page(id)
	if err != nil {
		return err
	}
	switch flags := binary.LittleEndian.Uint16(buf[8:]); flags {
	case 0x01: // branch
		count := int(binary.LittleEndian.Uint16(buf[10:]))
		if pageHeader+count*elementSize > len(buf) || count == 0 {
			return fmt.Errorf("branch page %d holds %d elements", id, count)
		}
		for i := range count {
			e := buf[pageHeader+i*elementSize:]
			pos, ksize := int(binary.LittleEndian.Uint32(e)), int(binary.LittleEndian.Uint32(e[4:]))
			if pageHeader+i*elementSize+pos+ksize > len(buf) {
				return fmt.Errorf("branch page %d: element %d lies outside the page", id, i)
			}
			if err := w.node(binary.LittleEndian.Uint64(e[8:]), depth+1); err != nil {
				return err
			}
		}
		return nil
	case 0x02: // leaf
		return w.leaf(buf, id, depth)
	default:
		return fmt.Errorf("page %d has flags %#x where a branch or leaf page belongs", id, flags)
	}
}

// leaf checks a leaf page's elements and the buckets they hold (id 0: an inline
// bucket's page, held in its parent's value).
func (w *pageWalker) leaf(buf []byte, id uint64, depth int) error {
	if len(buf) < pageHeader {
		return fmt.Errorf("inline page under page %d is cut short", id)
	}
	if flags := binary.LittleEndian.Uint16(buf[8:]); flags != 0x02 {
		return fmt.Errorf("page %d has flags %#x where a leaf page belongs", id, flags)
	}
	count := int(binary.LittleEndian.Uint16(buf[10:]))
	if pageHeader+count*elementSize > len(buf) {
		return fmt.Errorf("leaf page %d holds %d elements", id, count)
	}
	for i := range count {
		off := pageHeader + i*elementSize
		e := buf[off:]
		flags := binary.LittleEndian.Uint32(e)
		pos, ksize, vsize := int(binary.LittleEndian.Uint32(e[4:])), int(binary.LittleEndian.Uint32(e[8:])), int(binary.LittleEndian.Uint32(e[12:]))
		end := off + pos + ksize + vsize
		if pos < 0 || end > len(buf) || end < off {
			return fmt.Errorf("leaf page %d: element %d lies outside the page", id, i)
		}
		if flags&0x01 == 0 {
			continue
		}
		v := buf[off+pos+ksize : end]
		if len(v) < 16 {
			return fmt.Errorf("leaf page %d: bucket %d has a header of %d bytes", id, i, len(v))
		}
		if root := binary.LittleEndian.Uint64(v); root != 0 {
			if err := w.node(root, depth+1); err != nil {
				return err
			}
		} else if err := w.leaf(v[16:], id, depth+1); err != nil {
			return err
		}
	}
	return nil
}
