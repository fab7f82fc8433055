#!/usr/bin/env bash
# How localdev/sendbird_emulator/fixtures/recording-1280x720-30fps.mp4 was made, once, with Debian 12's
# ffmpeg 5.1 (libx264): 2 s of Sendbird's documented recording format (1280 x 720, 30 fps, H.264),
# a flat colour with a moving square at a very low bitrate, so the file is a few KB. moov comes before
# mdat (+faststart) and mdat is the last box: the emulator pads a copy to a recording's byte_size
# after it without re-encoding (localdev/sendbird_emulator/media.py). CI never runs this: the file is
# committed. Needs: apt-get install -y ffmpeg.
set -euo pipefail
cd "$(dirname "$0")/.."
out=localdev/sendbird_emulator/fixtures/recording-1280x720-30fps.mp4
ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i "color=c=0x336699:size=1280x720:rate=30:duration=2,drawbox=x=40+t*300:y=320:w=80:h=80:color=white:t=fill" \
  -c:v libx264 -preset veryslow -crf 45 -g 60 -bf 0 -pix_fmt yuv420p \
  -movflags +faststart -map_metadata -1 -fflags +bitexact -flags:v +bitexact -an "$out"
ffprobe -v error -show_entries stream=codec_name,width,height,r_frame_rate,nb_frames:format=duration,size \
  -of compact "$out"
