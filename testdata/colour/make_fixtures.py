#!/usr/bin/python3
"""Makes the colour and metadata fixtures in this folder, and their references.

Independent of Pixbridge: the Display P3 profile is built here from the published primaries
(SMPTE EG 432-1: R 0.680/0.320, G 0.265/0.690, B 0.150/0.060, D65 white, the sRGB curve),
Adobe RGB is Debian colord's `AdobeRGB1998.icc`, and every conversion to sRGB is done by
lcms2 through Pillow's ImageCms. Run with Debian's python3 and python3-pil:

    /usr/bin/python3 testdata/colour/make_fixtures.py

Writes (all small):
- `p3.jpg`, `adobergb.jpg`: a photograph (coffee.png, 1/2 size: saturated reds that sRGB and P3 store differently) converted by lcms2 from sRGB into
  the profile's space and stored with that profile embedded (APP2) and EXIF (APP1), quality 95;
- `p3.png`: the same P3 pixels as a PNG with an iCCP chunk and tEXt/zTXt/iTXt chunks;
- `*.srgb.png`: the reference: the file's own stored pixels (decoded by Pillow's libjpeg) converted
  to sRGB by lcms2 (relative colorimetric, as the profiles have no perceptual tables);
- `p3.icc`: the P3 profile, for tests that embed it themselves;
- `cmyk.jpg`: the sRGB reference of `p3.jpg` separated into CMYK by ImageMagick (Adobe-style
  inverted CMYK, no profile), with `cmyk.jpg.srgb.png`, ImageMagick's conversion back to sRGB.
"""
import io
import os
import struct
import subprocess
import sys

import numpy as np
from PIL import Image, ImageCms, TiffImagePlugin

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "..", "coffee.png")
ADOBE = "/usr/share/color/icc/colord/AdobeRGB1998.icc"


def s15(v):
    return struct.pack(">i", int(round(v * 65536)))


def xyz_tag(x, y, z):
    return b"XYZ " + b"\0" * 4 + s15(x) + s15(y) + s15(z)


def text_desc(text):
    ascii_ = text.encode("ascii") + b"\0"
    return (b"desc" + b"\0" * 4 + struct.pack(">I", len(ascii_)) + ascii_
            + b"\0" * 8 + b"\0" * 3 + b"\0" * 67)


def para_srgb():
    # parametricCurveType function 3: the sRGB curve.
    g, a, b, c, d = 2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045
    return b"para" + b"\0" * 4 + struct.pack(">HH", 3, 0) + b"".join(s15(v) for v in (g, a, b, c, d))


def primaries_to_d50_matrix(primaries, white):
    """RGB -> XYZ(D50) columns for the given xy primaries and white, Bradford-adapted."""
    def xyz(x, y):
        return np.array([x / y, 1.0, (1 - x - y) / y])
    m = np.column_stack([xyz(*p) for p in primaries])
    w = xyz(*white)
    s = np.linalg.solve(m, w)
    m = m * s
    bradford = np.array([[0.8951, 0.2664, -0.1614], [-0.7502, 1.7135, 0.0367], [0.0389, -0.0685, 1.0296]])
    d50 = np.array([0.9642, 1.0, 0.8249])
    src = bradford @ w
    dst = bradford @ d50
    adapt = np.linalg.inv(bradford) @ np.diag(dst / src) @ bradford
    return adapt @ m


def display_p3_profile():
    m = primaries_to_d50_matrix([(0.680, 0.320), (0.265, 0.690), (0.150, 0.060)], (0.3127, 0.3290))
    trc = para_srgb()
    tags = [
        (b"desc", text_desc("Display P3 (Pixbridge test fixture)")),
        (b"cprt", b"text" + b"\0" * 4 + b"No copyright, use freely\0"),
        (b"wtpt", xyz_tag(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz_tag(*m[:, 0])),
        (b"gXYZ", xyz_tag(*m[:, 1])),
        (b"bXYZ", xyz_tag(*m[:, 2])),
        (b"rTRC", trc),
        (b"gTRC", trc),
        (b"bTRC", trc),
    ]
    table_len = 4 + 12 * len(tags)
    offset = 128 + table_len
    table = struct.pack(">I", len(tags))
    data = b""
    for sig, body in tags:
        while len(body) % 4:
            body += b"\0"
        table += sig + struct.pack(">II", offset + len(data), len(body))
        data += body
    size = 128 + table_len + len(data)
    header = (struct.pack(">I", size) + b"lcms" + struct.pack(">I", 0x04300000) + b"mntrRGB XYZ "
              + struct.pack(">6H", 2024, 1, 1, 0, 0, 0) + b"acsp" + b"\0" * 4 + b"\0" * 4 + b"\0" * 8
              + b"\0" * 8 + struct.pack(">I", 0) + s15(0.9642) + s15(1.0) + s15(0.8249) + b"\0" * 4
              + b"\0" * 16 + b"\0" * 28)
    assert len(header) == 128
    return header + table + data


def exif_block(make, model):
    exif = Image.Exif()
    exif[0x010F] = make
    exif[0x0110] = model
    exif[0x0112] = 1
    exif[0x0131] = "Pixbridge fixture script"
    exif[0x013B] = "Pixbridge Tests"
    exif[0x8298] = "CC0 test fixture"
    ifd = {}
    ifd[0x9003] = "2024:05:06 07:08:09"
    ifd[0x829A] = TiffImagePlugin.IFDRational(1, 250)
    ifd[0x829D] = TiffImagePlugin.IFDRational(28, 10)
    ifd[0x8827] = 400
    ifd[0x920A] = TiffImagePlugin.IFDRational(35, 1)
    ifd[0xA434] = "Test Lens 35mm F2.8"
    gps = {}
    gps[1] = "N"
    gps[2] = (TiffImagePlugin.IFDRational(52, 1), TiffImagePlugin.IFDRational(30, 1), TiffImagePlugin.IFDRational(36, 1))
    gps[3] = "W"
    gps[4] = (TiffImagePlugin.IFDRational(1, 1), TiffImagePlugin.IFDRational(15, 1), TiffImagePlugin.IFDRational(0, 1))
    gps[5] = 0
    gps[6] = TiffImagePlugin.IFDRational(125, 2)
    exif[0x8769] = ifd
    exif[0x8825] = gps
    return exif.tobytes()


def to_srgb(img, profile_bytes):
    src = ImageCms.ImageCmsProfile(io.BytesIO(profile_bytes))
    dst = ImageCms.createProfile("sRGB")
    return ImageCms.profileToProfile(img, src, dst, renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
                                     outputMode="RGB")


def from_srgb(img, profile_bytes):
    src = ImageCms.createProfile("sRGB")
    dst = ImageCms.ImageCmsProfile(io.BytesIO(profile_bytes))
    return ImageCms.profileToProfile(img, src, dst, renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
                                     outputMode="RGB")


def main():
    photo = Image.open(SOURCE).convert("RGB")
    photo = photo.resize((photo.width // 2, photo.height // 2), Image.LANCZOS)
    p3 = display_p3_profile()
    with open(os.path.join(HERE, "p3.icc"), "wb") as f:
        f.write(p3)
    adobe = open(ADOBE, "rb").read()
    for name, profile, make in (("p3", p3, "Pixbridge P3 Camera"), ("adobergb", adobe, "Pixbridge Adobe Camera")):
        stored = from_srgb(photo, profile)
        path = os.path.join(HERE, name + ".jpg")
        stored.save(path, quality=95, icc_profile=profile, exif=exif_block(make, "Model " + name.upper()))
        decoded = Image.open(path)
        decoded.load()
        to_srgb(decoded.convert("RGB"), profile).save(os.path.join(HERE, name + ".jpg.srgb.png"))
    # The PNG: lossless, with profile and text chunks.
    from PIL import PngImagePlugin
    stored = from_srgb(photo, p3)
    info = PngImagePlugin.PngInfo()
    info.add_text("Title", "Coffee in Display P3")
    info.add_text("Comment", "A zTXt chunk: " + "compressed text " * 8, zip=True)
    info.add_itxt("Description", "Fusée, iTXt with UTF-8", lang="fr", tkey="Description")
    path = os.path.join(HERE, "p3.png")
    stored.save(path, icc_profile=p3, pnginfo=info)
    to_srgb(Image.open(path).convert("RGB"), p3).save(os.path.join(HERE, "p3.png.srgb.png"))
    # CMYK, by ImageMagick (`convert`, Debian's imagemagick package).
    cmyk = os.path.join(HERE, "cmyk.jpg")
    subprocess.run(["convert", os.path.join(HERE, "p3.jpg.srgb.png"), "-colorspace", "CMYK", "-quality", "95",
                    "-strip", cmyk], check=True)
    subprocess.run(["convert", cmyk, "-colorspace", "sRGB", "-strip", cmyk + ".srgb.png"], check=True)
    print("fixtures written to", HERE)


if __name__ == "__main__":
    sys.exit(main())
