// palm: a command for any Palm cluster (status, eval, job, certs). See PalmTool.
return await Palm.Tool.PalmTool.RunAsync(args);
